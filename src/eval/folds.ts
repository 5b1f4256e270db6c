/** The leave-intents-out protocol: fixed-seed folds of the intents, and a set's training and cases with one fold left out. */
import { KnowledgeError } from '../knowledge/knowledge-error.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';
import type { EvalCase } from './eval-cases.ts';
import { seededRandom, shuffle } from '../nlu/random.ts';

/**
 * Splits the intents into `count` disjoint folds of near-equal size that together cover them all:
 * sorted, shuffled with `seed`, dealt in turn. The same intents and seed give the same folds.
 */
export function intentFolds(intents: Iterable<string>, count: number, seed: number): string[][] {
  const ids = shuffle([...new Set(intents)].sort(), seededRandom(seed));
  const folds: string[][] = Array.from({ length: Math.min(count, ids.length) }, () => []);
  ids.forEach((id, i) => folds[i % folds.length]!.push(id));
  return folds.map((f) => f.sort());
}

/**
 * The training and cases of a run that leaves `leftOut` intents out: their training questions are
 * dropped and their test questions become unanswerable; no test question decides anything.
 */
export function leaveIntentsOut(
  training: ReadonlyMap<string, readonly string[]>,
  cases: readonly EvalCase[],
  leftOut: Iterable<string>,
): { training: Map<string, string[]>; cases: EvalCase[] } {
  const out = new Set(leftOut);
  return {
    training: new Map([...training].filter(([id]) => !out.has(id)).map(([id, qs]) => [id, [...qs]])),
    cases: cases.map((c) => ({ text: c.text, expect: c.expect !== null && out.has(c.expect) ? null : c.expect })),
  };
}

/** The knowledge base without the entries `ids` (`huiying eval --leave-out`); an unknown id is an error naming it. */
export function knowledgeWithout(kb: KnowledgeBase, ids: readonly string[], source: string): KnowledgeBase {
  const known = new Set(kb.entries.map((e) => e.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new KnowledgeError(unknown.map((id) => ({ file: source, entry: id, message: '--leave-out names an entry the knowledge base does not have' })));
  }
  const out = new Set(ids);
  const entries = kb.entries.filter((e) => !out.has(e.id));
  if (entries.length === 0) throw new KnowledgeError([{ file: source, message: '--leave-out leaves no entry to train on' }]);
  return { ...kb, entries, hash: ids.length > 0 ? `${kb.hash}-without-${[...out].sort().join(',')}` : kb.hash };
}
