/**
 * Text to hashed term counts for retrieval: the text is normalised and segmented as v1 prepares it
 * (normalize.ts, tokenize.ts), then every word, every pair of adjacent words, every Han character and every
 * character 2- to 4-gram inside a run of Han characters becomes a term.
 */
import { normalize, SynonymMap } from './normalize.ts';
import { hashKindTerm, hashTerm, kindSeed, TERM_KIND, type TermKind } from './term-hash.ts';
import { Tokenizer, type Tokens } from './tokenize.ts';

/**
 * What one occurrence of each kind of term adds to its count. A word is the unit of meaning (1). A word
 * bigram restates two words already counted, so it only adds order (0.5). Character n-grams catch what
 * segmentation splits differently in a paraphrase, but overlap each other and the words (0.5). A single
 * character is the weakest evidence: most characters appear in many unrelated services (0.3).
 */
export const TERM_WEIGHTS: Readonly<Record<TermKind, number>> = {
  [TERM_KIND.word]: 1,
  [TERM_KIND.bigram]: 0.5,
  [TERM_KIND.gram]: 0.5,
  [TERM_KIND.han]: 0.3,
};

/** The longest character n-gram taken inside a Han run. */
export const MAX_GRAM = 4;

const HAN_RUN = /\p{Script=Han}+/gu;

export interface PreparedTerms {
  normalized: string;
  tokens: Tokens;
  /** Term hash to weighted count. */
  terms: Map<number, number>;
}

/** Turns text into term counts with one normaliser and one jieba instance taught the knowledge base's words. */
export class TextTerms {
  private readonly synonyms: SynonymMap;
  private readonly tokenizer: Tokenizer;

  constructor(options: { synonyms?: ReadonlyMap<string, readonly string[]>; userWords?: Iterable<string> } = {}) {
    this.synonyms = new SynonymMap(options.synonyms ?? new Map());
    const words = new Set(options.userWords ?? []);
    for (const [canonical] of options.synonyms ?? []) words.add(canonical);
    this.tokenizer = Tokenizer.shared(words);
  }

  /** The normalised text, its tokens and its term counts. */
  prepare(text: string): PreparedTerms {
    const normalized = normalize(text, this.synonyms);
    const tokens = this.tokenizer.tokenize(normalized);
    return { normalized, tokens, terms: termCounts(normalized, tokens.words) };
  }

  /** Term hash to weighted count. */
  terms(text: string): Map<number, number> {
    return this.prepare(text).terms;
  }
}

/** The term counts of normalised text and its words (see TERM_WEIGHTS). */
export function termCounts(normalized: string, words: readonly string[]): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (hash: number, weight: number): void => {
    counts.set(hash, (counts.get(hash) ?? 0) + weight);
  };
  const wordWeight = TERM_WEIGHTS[TERM_KIND.word];
  const bigramWeight = TERM_WEIGHTS[TERM_KIND.bigram];
  for (let i = 0; i < words.length; i++) {
    add(hashKindTerm(TERM_KIND.word, words[i]!), wordWeight);
    if (i > 0) add(hashKindTerm(TERM_KIND.bigram, `${words[i - 1]!} ${words[i]!}`), bigramWeight);
  }
  const hanWeight = TERM_WEIGHTS[TERM_KIND.han];
  const gramWeight = TERM_WEIGHTS[TERM_KIND.gram];
  const gramSeed = kindSeed(TERM_KIND.gram);
  for (const match of normalized.matchAll(HAN_RUN)) {
    const chars = Array.from(match[0]);
    for (let i = 0; i < chars.length; i++) {
      add(hashKindTerm(TERM_KIND.han, chars[i]!), hanWeight);
      // FNV-1a is a stream: each longer n-gram's hash continues the shorter one's.
      let gram = hashTerm(chars[i]!, gramSeed);
      for (let n = 2; n <= MAX_GRAM && i + n <= chars.length; n++) {
        gram = hashTerm(chars[i + n - 1]!, gram);
        add(gram, gramWeight);
      }
    }
  }
  return counts;
}
