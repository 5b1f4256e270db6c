/** Topic features of a message: content words and character bigrams, weighted so topic words outrank chit-chat. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { normalize } from '../nlu/normalize.ts';
import type { SparseVector } from '../nlu/sparse-vector.ts';
import { WordTable } from '../nlu/word-table.ts';
import { Tokenizer } from '../nlu/tokenize.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { isTopicStopWord } from './topic-stop-words.ts';

const HAN_CHAR = /\p{Script=Han}/u;
const DIGITS = /^\d+$/;

/** A message reduced to what grouping needs. */
export interface PreparedMessage {
  /** Hash of the normalised text: equal for near-identical messages (case, width, punctuation, script). */
  key: string;
  /** The masked, normalised text. */
  normalized: string;
  /** Term counts: `w:<word>` for content words, `c:<two characters>` for Han bigrams inside content runs. */
  terms: Map<string, number>;
}

let generalIdf: WordTable | null = null;

/** Jieba's general-corpus inverse document frequencies: a prior that tells common words (问题, 影响) from topic words. */
function loadGeneralIdf(): WordTable {
  if (generalIdf) return generalIdf;
  const entries: Array<[string, number]> = [];
  const path = createRequire(import.meta.url).resolve('@node-rs/jieba/idf.txt');
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) entries.push([line.slice(0, space), Number(line.slice(space + 1))]);
  }
  generalIdf = new WordTable(entries);
  return generalIdf;
}

/** True when jieba's general dictionary knows the word. */
export function isDictionaryWord(word: string): boolean {
  return loadGeneralIdf().has(word);
}

/** How much a word's general-corpus rarity lets it count: common words ~0.2, topic words ~0.7, rare words 1. */
function priorFactor(term: string): number {
  const word = term.slice(2);
  if (!HAN_CHAR.test(word)) return 0.8;
  const idf = loadGeneralIdf().get(word);
  if (idf === undefined) return term.startsWith('c:') ? 0.35 : 0.8;
  const factor = Math.min(1, Math.max(0.15, (idf - 2) / 9));
  return term.startsWith('c:') ? factor * 0.6 : factor;
}

/** Prepares messages for grouping: masks personal data, normalises, segments with jieba and keeps content terms. */
export class TopicFeaturizer {
  private readonly tokenizer: Tokenizer;

  constructor(userWords: Iterable<string> = []) {
    this.tokenizer = new Tokenizer(userWords);
    loadGeneralIdf();
  }

  /** The normalised form of a text (masked first), as used for keys and features. */
  normalizeText(text: string): string {
    return normalize(maskPersonalData(text));
  }

  prepare(text: string): PreparedMessage {
    const normalized = this.normalizeText(text);
    const key = createHash('sha1').update(normalized).digest('hex').slice(0, 16);
    const terms = new Map<string, number>();
    const add = (t: string): void => {
      terms.set(t, (terms.get(t) ?? 0) + 1);
    };
    let run = '';
    const flush = (): void => {
      const chars = Array.from(run);
      for (let i = 0; i + 1 < chars.length; i++) add(`c:${chars[i]}${chars[i + 1]}`);
      run = '';
    };
    for (const word of this.tokenizer.tokenize(normalized).words) {
      const han = HAN_CHAR.test(word);
      if (isTopicStopWord(word) || DIGITS.test(word) || !han) {
        flush();
        if (!han && word.length >= 2 && !DIGITS.test(word) && !isTopicStopWord(word)) add(`w:${word}`);
        continue;
      }
      run += word;
      if (Array.from(word).length >= 2) add(`w:${word}`);
    }
    flush();
    return { key, normalized, terms };
  }
}

/** Weighted vectors of a corpus plus the vocabulary and idf they were built with. */
export interface WeightedCorpus {
  vectors: SparseVector[];
  vocabulary: string[];
  idf: Float64Array;
}

/**
 * Weights term counts: sublinear tf × corpus idf × general-corpus prior; terms in fewer than two texts are dropped
 * (they cannot link a text to another), each text keeps its `maxTerms` strongest terms, and vectors are L2 normalised.
 */
export function weightCorpus(docs: ReadonlyArray<Map<string, number>>, maxTerms = 30): WeightedCorpus {
  const df = new Map<string, number>();
  for (const doc of docs) for (const t of doc.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const index = new Map<string, number>();
  const vocabulary: string[] = [];
  const idfList: number[] = [];
  const n = docs.length;
  for (const [t, d] of df) {
    if (d < 2) continue;
    index.set(t, vocabulary.length);
    vocabulary.push(t);
    idfList.push((Math.log((1 + n) / (1 + d)) + 1) * priorFactor(t));
  }
  const idf = Float64Array.from(idfList);
  const vectors = docs.map((doc) => vectorOf(doc, (t) => {
    const i = index.get(t);
    return i === undefined ? undefined : [i, idf[i]!];
  }, maxTerms));
  return { vectors, vocabulary, idf };
}

/** The weight of an unseen term in a corpus of `documents` texts (rarest possible, times its prior). */
export function unseenTermIdf(term: string, documents: number): number {
  return (Math.log(1 + documents) + 1) * priorFactor(term);
}

/** Idf of a term for a saved state: known value, else the unseen-term value. */
export function stateIdf(term: string, idf: Readonly<Record<string, number>>, documents: number): number {
  return idf[term] ?? unseenTermIdf(term, documents);
}

/** Builds one L2-normalised vector from counts; `lookup` gives a term's index and idf, or undefined to drop it. */
export function vectorOf(
  doc: Map<string, number>,
  lookup: (term: string) => readonly [number, number] | undefined,
  maxTerms: number,
): SparseVector {
  const entries: Array<[number, number]> = [];
  for (const [t, count] of doc) {
    const hit = lookup(t);
    if (hit) entries.push([hit[0], (1 + Math.log(count)) * hit[1]]);
  }
  if (entries.length > maxTerms) {
    entries.sort((a, b) => b[1] - a[1]);
    entries.length = maxTerms;
  }
  entries.sort((a, b) => a[0] - b[0]);
  let norm = 0;
  for (const [, v] of entries) norm += v * v;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return { idx: Int32Array.from(entries, (e) => e[0]), val: Float32Array.from(entries, (e) => e[1] * scale) };
}
