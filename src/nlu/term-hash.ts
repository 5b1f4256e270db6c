/**
 * 32-bit FNV-1a hashes of terms. A term's kind is hashed as a prefix, so the word 出生 and the character
 * bigram 出生 stay apart. The hash runs over the string's UTF-16 code units, low byte then high byte.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The prefixes that keep term kinds apart: word, word bigram, single Han character, Han character n-gram. */
export const TERM_KIND = { word: 'w:', bigram: 'b:', han: 'h:', gram: 'g:' } as const;

export type TermKind = (typeof TERM_KIND)[keyof typeof TERM_KIND];

/** FNV-1a of `term`, continuing from `seed` (the hash of a prefix), as an unsigned 32-bit integer. */
export function hashTerm(term: string, seed: number = FNV_OFFSET): number {
  let h = seed;
  for (let i = 0; i < term.length; i++) {
    const unit = term.charCodeAt(i);
    h = Math.imul(h ^ (unit & 0xff), FNV_PRIME);
    h = Math.imul(h ^ (unit >>> 8), FNV_PRIME);
  }
  return h >>> 0;
}

const KIND_SEEDS = new Map<string, number>(Object.values(TERM_KIND).map((k) => [k, hashTerm(k)]));

/** The hash of `kind` alone: continue it with hashTerm(text, seed) to hash `kind + text`. */
export function kindSeed(kind: TermKind): number {
  return KIND_SEEDS.get(kind)!;
}

/** The hash of `kind + text`, without building the joined string. */
export function hashKindTerm(kind: TermKind, text: string): number {
  return hashTerm(text, KIND_SEEDS.get(kind)!);
}
