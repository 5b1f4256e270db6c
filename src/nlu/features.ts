/** Feature extraction: word uni/bigrams, single Han characters and character 2-4-grams, weighted by TF-IDF. */
import type { SparseVector } from './sparse-vector.ts';
import { isEnglishStopWord } from './stop-words.ts';
import type { Tokens } from './tokenize.ts';

const SURROGATE = /[\uD800-\uDFFF]/;
/** Sort keys pack a feature's index above its position in the document (2^21 positions: more than any text has features). */
const POSITIONS = 2 ** 21;

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
    const padded = ` ${chunk} `;
    if (!SURROGATE.test(padded)) {
      // One UTF-16 unit per character: substrings are the n-grams.
      for (let n = 2; n <= 4; n++) for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.substring(i, i + n)}`);
      continue;
    }
    const chars = Array.from(padded);
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
    const keys = new Float64Array(doc.size);
    const values = new Float64Array(doc.size);
    let m = 0;
    let norm = 0;
    for (const [f, count] of doc) {
      const i = this.vocabulary.get(f);
      if (i === undefined) continue;
      const v = (1 + Math.log(count)) * this.idf[i]!;
      keys[m] = i * POSITIONS + m;
      values[m] = v;
      m++;
      norm += v * v;
    }
    // A typed array sorts numerically, without a comparator call per pair.
    const sorted = keys.subarray(0, m).sort();
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const idx = new Int32Array(m);
    const val = new Float32Array(m);
    for (let k = 0; k < m; k++) {
      const i = Math.floor(sorted[k]! / POSITIONS);
      idx[k] = i;
      val[k] = values[sorted[k]! - i * POSITIONS]! * scale;
    }
    return { idx, val };
  }
}
