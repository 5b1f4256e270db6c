/**
 * A read-only word → number table in typed arrays, for dictionaries of hundreds of thousands of words
 * (jieba's frequencies and idf). Held as a Map, such a dictionary is a million strings that every full garbage
 * collection of the thread must visit; here it is a few flat arrays the collector never looks into.
 *
 * Words are kept as 64-bit FNV-1a fingerprints, not as text: a word that is not in the table is taken for one
 * that is only when their fingerprints collide, about once in 10^13 lookups for a table of 300,000 words.
 */
import { hashTerm } from './term-hash.ts';

/** A second FNV offset: the two hashes of a word together are its 64-bit fingerprint. */
const SECOND_SEED = 0x050c5d1f;

function fingerprint(word: string): [number, number] {
  return [hashTerm(word), hashTerm(word, SECOND_SEED)];
}

export class WordTable {
  private readonly mask: number;
  /** Open addressing with linear probing; slot i is empty when `used[i]` is 0. */
  private readonly high: Uint32Array;
  private readonly low: Uint32Array;
  private readonly used: Uint8Array;
  private readonly values: Float64Array;
  /** Number of distinct words. */
  readonly size: number;

  constructor(entries: Iterable<readonly [string, number]>) {
    const list = [...entries];
    let capacity = 1024;
    while (capacity < list.length * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.values = new Float64Array(capacity);
    let size = 0;
    for (const [word, value] of list) {
      const slot = this.slotOf(word);
      if (!this.used[slot.index]) size++;
      this.used[slot.index] = 1;
      this.high[slot.index] = slot.a;
      this.low[slot.index] = slot.b;
      this.values[slot.index] = value;
    }
    this.size = size;
  }

  /** The value of `word`, or undefined when the table does not hold it. */
  get(word: string): number | undefined {
    const slot = this.slotOf(word);
    return this.used[slot.index] ? this.values[slot.index] : undefined;
  }

  has(word: string): boolean {
    return this.used[this.slotOf(word).index] === 1;
  }

  /** The slot holding `word`, or the empty slot where it would go. */
  private slotOf(word: string): { index: number; a: number; b: number } {
    const [a, b] = fingerprint(word);
    let index = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    while (this.used[index] && (this.high[index] !== a || this.low[index] !== b)) index = (index + 1) & this.mask;
    return { index, a, b };
  }
}
