/** Feature extraction: word uni/bigrams, single Han characters and character 2-4-grams, weighted by TF-IDF. */
import type { SparseVector } from './sparse-vector.ts';
import { isEnglishStopWord } from './stop-words.ts';
import type { Tokens } from './tokenize.ts';

/** Raw feature names with counts for one text. */
export function extractFeatures(normalized: string, tokens: Tokens): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string): void => {
    counts.set(f, (counts.get(f) ?? 0) + 1);
  };
  const { words, hanChars } = tokens;
  for (let i = 0; i < words.length; i++) {
    add(`w:${words[i]}`);
    if (i + 1 < words.length) add(`b:${words[i]} ${words[i + 1]}`);
  }
  for (const ch of hanChars) add(`h:${ch}`);
  // Character n-grams inside each space-separated chunk, padded so word edges count.
  for (const chunk of normalized.split(' ')) {
    if (!chunk || isEnglishStopWord(chunk)) continue;
    const chars = Array.from(` ${chunk} `);
    for (let n = 2; n <= 4; n++) {
      for (let i = 0; i + n <= chars.length; i++) add(`c:${chars.slice(i, i + n).join('')}`);
    }
  }
  return counts;
}

export interface TfidfState {
  vocabulary: Array<[string, number]>;
  idf: number[];
}

/** A fitted TF-IDF vocabulary (sublinear term frequency, smoothed idf, L2 normalised). */
export class TfidfVectorizer {
  readonly vocabulary: Map<string, number>;
  readonly idf: Float32Array;

  private constructor(vocabulary: Map<string, number>, idf: Float32Array) {
    this.vocabulary = vocabulary;
    this.idf = idf;
  }

  static fit(documents: ReadonlyArray<Map<string, number>>): TfidfVectorizer {
    const df = new Map<string, number>();
    for (const doc of documents) for (const f of doc.keys()) df.set(f, (df.get(f) ?? 0) + 1);
    const vocabulary = new Map<string, number>();
    const idf: number[] = [];
    const n = documents.length;
    for (const [f, d] of df) {
      vocabulary.set(f, idf.length);
      idf.push(Math.log((1 + n) / (1 + d)) + 1);
    }
    return new TfidfVectorizer(vocabulary, Float32Array.from(idf));
  }

  static fromState(state: TfidfState): TfidfVectorizer {
    return new TfidfVectorizer(new Map(state.vocabulary), Float32Array.from(state.idf));
  }

  toState(): TfidfState {
    return { vocabulary: [...this.vocabulary], idf: Array.from(this.idf) };
  }

  get size(): number {
    return this.idf.length;
  }

  /** The vector of a document; features outside the vocabulary are dropped. */
  transform(doc: Map<string, number>): SparseVector {
    const entries: Array<[number, number]> = [];
    let norm = 0;
    for (const [f, count] of doc) {
      const i = this.vocabulary.get(f);
      if (i === undefined) continue;
      const v = (1 + Math.log(count)) * this.idf[i]!;
      entries.push([i, v]);
      norm += v * v;
    }
    entries.sort((a, b) => a[0] - b[0]);
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return {
      idx: Int32Array.from(entries, (e) => e[0]),
      val: Float32Array.from(entries, (e) => e[1] * scale),
    };
  }
}
