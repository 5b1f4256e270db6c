/** Stable topic ids: new topics are named after their earliest member; later runs keep the id of the topic they continue. */
import { createHash } from 'node:crypto';
import type { TopicSnapshot } from './topic-types.ts';

/** A freshly grouped topic, as id matching sees it. */
export interface IdCandidate {
  /** Member keys, earliest member first. */
  memberKeys: readonly string[];
  centroid: ReadonlyMap<string, number>;
}

/** A new id derived from a member key (the earliest member's, normally). */
export function topicIdFor(memberKey: string): string {
  return `t-${createHash('sha1').update(memberKey).digest('hex').slice(0, 10)}`;
}

/**
 * Ids for new topics: a topic that shares members with a previous topic keeps its id (largest overlap first, one to one);
 * one without shared members keeps the id of a previous topic whose centre is close enough; the rest get a new id.
 */
export function carryIds(topics: readonly IdCandidate[], previous: readonly TopicSnapshot[], minCentroidSimilarity = 0.5): string[] {
  const ids: Array<string | undefined> = topics.map(() => undefined);
  const usedPrevious = new Set<number>();
  const owner = new Map<string, number>();
  previous.forEach((p, i) => {
    for (const k of p.memberKeys) owner.set(k, i);
  });
  const pairs: Array<{ topic: number; prev: number; overlap: number }> = [];
  topics.forEach((t, ti) => {
    const overlap = new Map<number, number>();
    for (const k of t.memberKeys) {
      const p = owner.get(k);
      if (p !== undefined) overlap.set(p, (overlap.get(p) ?? 0) + 1);
    }
    for (const [p, count] of overlap) {
      const smaller = Math.min(t.memberKeys.length, previous[p]!.memberKeys.length);
      if (count >= Math.max(1, 0.3 * smaller)) pairs.push({ topic: ti, prev: p, overlap: count });
    }
  });
  pairs.sort((a, b) => b.overlap - a.overlap || a.topic - b.topic);
  for (const { topic, prev } of pairs) {
    if (ids[topic] !== undefined || usedPrevious.has(prev)) continue;
    ids[topic] = previous[prev]!.id;
    usedPrevious.add(prev);
  }
  const byCentroid: Array<{ topic: number; prev: number; sim: number }> = [];
  topics.forEach((t, ti) => {
    if (ids[ti] !== undefined) return;
    previous.forEach((p, pi) => {
      if (usedPrevious.has(pi)) return;
      const sim = centroidCosine(t.centroid, new Map(p.centroid));
      if (sim >= minCentroidSimilarity) byCentroid.push({ topic: ti, prev: pi, sim });
    });
  });
  byCentroid.sort((a, b) => b.sim - a.sim);
  for (const { topic, prev } of byCentroid) {
    if (ids[topic] !== undefined || usedPrevious.has(prev)) continue;
    ids[topic] = previous[prev]!.id;
    usedPrevious.add(prev);
  }
  const taken = new Set<string>([...previous.map((p) => p.id), ...ids.filter((x): x is string => x !== undefined)]);
  return topics.map((t, ti) => {
    const carried = ids[ti];
    if (carried !== undefined) return carried;
    let id = topicIdFor(t.memberKeys[0] ?? String(ti));
    for (let n = 1; taken.has(id); n++) id = topicIdFor(`${t.memberKeys[n % Math.max(1, t.memberKeys.length)] ?? ''}#${n}`);
    taken.add(id);
    return id;
  });
}

/** Cosine similarity of two term-weight maps. */
export function centroidCosine(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [t, v] of a) {
    na += v * v;
    const w = b.get(t);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
