/**
 * What the decision reads about a question and its best candidates, in numbers that mean the same on any
 * knowledge base: cosines (already on a 0-1 scale), shares of the question's information that the candidate
 * covers or that no entry knows, with a word's information its idf over the highest idf the base can give
 * (so 1 for a word no entry holds, whatever the base's size), the margin to the next entry, length and script.
 */
import type { EntryCandidate } from './entry-index.ts';
import { inverseDocumentFrequency } from './retrieval-index.ts';
import { hashKindTerm, TERM_KIND } from './term-hash.ts';
import type { Tokens } from './tokenize.ts';

/** What the features need of an index: the idf of a term among the entries, and whether an entry holds it. */
export interface FeatureSource {
  /** Documents the idf is counted over (a term none holds gets inverseDocumentFrequency(0, docCount)). */
  docCount: number;
  idfOf(hash: number): number;
  docFrequency(hash: number): number;
  /** Whether the candidate's profile holds the term. */
  holds(candidate: EntryCandidate, hash: number): boolean;
}

/** The names of the features, in the order `candidateFeatures` returns them. */
export const FEATURE_NAMES = [
  'score',
  'question',
  'profile',
  'margin',
  'questionOverRadius',
  'profileOverRadius',
  'profileOverProfileRadius',
  'secondOverRadius',
  'wordCoverage',
  'unknownShare',
  'missedShare',
  'maxMissed',
  'hanCoverage',
  'logWords',
  'hanShare',
] as const;

/** One question's features for its best candidate (all zero when there is none). */
export function candidateFeatures(
  tokens: Tokens,
  normalized: string,
  candidates: readonly EntryCandidate[],
  source: FeatureSource,
): number[] {
  const top = candidates[0];
  const words = [...new Set(tokens.words)];
  const hanChars = [...new Set(tokens.hanChars)];
  const maxIdf = inverseDocumentFrequency(0, source.docCount);
  const info = (hash: number): number => source.idfOf(hash) / maxIdf;
  let total = 0;
  let covered = 0;
  let unknown = 0;
  let missed = 0;
  let maxMissed = 0;
  for (const word of words) {
    const hash = hashKindTerm(TERM_KIND.word, word);
    const weight = info(hash);
    total += weight;
    if (source.docFrequency(hash) === 0) {
      unknown += weight;
      maxMissed = Math.max(maxMissed, weight);
    } else if (top && source.holds(top, hash)) {
      covered += weight;
    } else {
      missed += weight;
      maxMissed = Math.max(maxMissed, weight);
    }
  }
  let hanTotal = 0;
  let hanCovered = 0;
  for (const ch of hanChars) {
    const hash = hashKindTerm(TERM_KIND.han, ch);
    const weight = info(hash);
    hanTotal += weight;
    if (top && source.holds(top, hash)) hanCovered += weight;
  }
  const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
  const letters = [...normalized].filter((c) => /[\p{L}\p{N}]/u.test(c));
  const han = letters.filter((c) => /\p{Script=Han}/u.test(c)).length;
  const second = candidates[1]?.score ?? 0;
  return [
    top?.score ?? 0,
    top?.question ?? 0,
    top?.profile ?? 0,
    (top?.score ?? 0) - second,
    top ? top.question - top.radius : -1,
    top ? top.profile - top.radius : -1,
    top ? top.profile - top.profileRadius : -1,
    candidates[1] ? candidates[1].question - candidates[1].radius : -1,
    share(covered, total),
    share(unknown, total),
    share(missed, total),
    maxMissed,
    hanChars.length > 0 ? share(hanCovered, hanTotal) : share(covered, total),
    Math.log1p(words.length),
    share(han, letters.length),
  ];
}
