/** Groups demand messages into topics: features, nearest neighbours, density-aware clustering, summaries, stable ids, ranking. */
import type { SparseVector } from '../nlu/sparse-vector.ts';
import { nearestNeighbours } from './similarity-graph.ts';
import { carryIds } from './stable-ids.ts';
import { clusterVectors, type Clustering } from './topic-clustering.ts';
import { TopicFeaturizer, weightCorpus } from './topic-features.ts';
import { rankTopics, weeklyGrowth, type RankBy } from './topic-ranking.ts';
import {
  channelCounts,
  dominantLanguage,
  kindOfMessages,
  likelyDepartments,
  representativeText,
  timeSpan,
  topicKeywords,
  topicLabel,
} from './topic-summary.ts';
import type { DemandMessage, Topic, TopicState } from './topic-types.ts';

export interface GroupOptions {
  /** The state of the previous run: topics that continue keep their ids. */
  previous?: TopicState | undefined;
  /** Reference time for "this week" (default: the latest message time, else now). */
  now?: Date | undefined;
  rankBy?: RankBy | undefined;
  /** Maps a knowledge-base entry id to its department. */
  departmentOf?: ((entryId: string) => string | undefined) | undefined;
  /** Reuse a featurizer (its jieba instance) across runs. */
  featurizer?: TopicFeaturizer | undefined;
  /** Cosine of group centres needed to merge (default 0.3). */
  mergeThreshold?: number | undefined;
  /** Smallest topic in messages (default 3). */
  minSize?: number | undefined;
  /** A left-out text joins the topic whose centre it is at least this close to (default 0.3; 1 disables). */
  attachThreshold?: number | undefined;
  /** Neighbours per text in the similarity graph (default 10). */
  neighbours?: number | undefined;
  /** Strongest terms kept per text (default 30). */
  maxTerms?: number | undefined;
}

/** Ranked topics, the input indexes left out as one-off noise, and the state to pass to the next run. */
export interface GroupResult {
  topics: Topic[];
  noise: number[];
  state: TopicState;
  /** Milliseconds per stage (prepare, weight, neighbours, cluster, describe) and the distinct texts grouped. */
  timings: Record<string, number>;
}

const CENTROID_TERMS = 60;

/** Groups messages into ranked topics; messages in no topic of at least `minSize` are returned as noise. */
export function groupTopics(messages: readonly DemandMessage[], options: GroupOptions = {}): GroupResult {
  const featurizer = options.featurizer ?? new TopicFeaturizer();
  const mergeThreshold = options.mergeThreshold ?? 0.25;
  const minSize = options.minSize ?? 3;

  const timings: Record<string, number> = {};
  let lapStart = performance.now();
  const lap = (stage: string): void => {
    const t = performance.now();
    timings[stage] = Math.round(t - lapStart);
    lapStart = t;
  };
  const uniqueOf = new Map<string, number>();
  const docs: Array<{ key: string; normalized: string; terms: Map<string, number>; members: number[] }> = [];
  const byText = new Map<string, number>();
  messages.forEach((m, i) => {
    const same = byText.get(m.text);
    if (same !== undefined) {
      docs[same]!.members.push(i);
      return;
    }
    const p = featurizer.prepare(m.text);
    const u = uniqueOf.get(p.key);
    if (u !== undefined) {
      docs[u]!.members.push(i);
      byText.set(m.text, u);
    } else {
      byText.set(m.text, docs.length);
      uniqueOf.set(p.key, docs.length);
      docs.push({ key: p.key, normalized: p.normalized, terms: p.terms, members: [i] });
    }
  });
  lap('prepare');
  timings.distinct = docs.length;
  const corpus = weightCorpus(docs.map((d) => d.terms), options.maxTerms ?? 30);
  lap('weight');
  const weights = docs.map((d) => d.members.length);
  const neighbours = nearestNeighbours(corpus.vectors, corpus.vocabulary.length, { k: options.neighbours ?? 10, minSimilarity: mergeThreshold });
  lap('neighbours');
  const grouped = clusterVectors(corpus.vectors, weights, neighbours, { mergeThreshold, minSize, centroidTerms: CENTROID_TERMS });
  const askerOf = (i: number): string => messages[i]!.asker ?? `#${i}`;
  // A topic needs `minSize` people: several messages of one conversation are one asker.
  const clusters = attachLeftOut(corpus.vectors, grouped, options.attachThreshold ?? 0.25).filter(
    (cluster) => new Set(cluster.flatMap((u) => docs[u]!.members.map(askerOf))).size >= minSize,
  );

  lap('cluster');
  const times = messages.map((m) => m.time).filter((t): t is Date => t instanceof Date);
  const latestMs = times.reduce((max, t) => Math.max(max, t.getTime()), -Infinity);
  const earliestMs = times.reduce((min, t) => Math.min(min, t.getTime()), Infinity);
  const latest = times.length ? new Date(latestMs) : null;
  const earliest = times.length ? new Date(earliestMs) : null;
  const now = options.now ?? latest ?? new Date();

  const firstTime = docs.map((d) => d.members.reduce((min, i) => Math.min(min, messages[i]!.time?.getTime() ?? Infinity), Infinity));
  const built = clusters.map((cluster) => {
    const centroid = centroidOf(cluster.map((u) => [corpus.vectors[u]!, weights[u]!] as const));
    const closeness = cluster.map((u) => [u, dotMap(corpus.vectors[u]!, centroid)] as const).sort((a, b) => b[1] - a[1]);
    const members = cluster.flatMap((u) => docs[u]!.members).sort((a, b) => a - b);
    const memberMessages = members.map((i) => messages[i]!);
    const terms = new Map(
      [...centroid].sort((a, b) => b[1] - a[1]).slice(0, CENTROID_TERMS).map(([i, v]) => [corpus.vocabulary[i]!, round(v)] as const),
    );
    const keywords = topicKeywords(terms, () => closeness.slice(0, 20).map(([u]) => docs[u]!.normalized));
    const earliestFirst = [...cluster].sort((a, b) => firstTime[a]! - firstTime[b]! || docs[a]!.members[0]! - docs[b]!.members[0]!);
    return {
      members,
      memberMessages,
      terms,
      keywords,
      memberKeys: earliestFirst.map((u) => docs[u]!.key),
      lang: dominantLanguage(cluster.map((u) => ({ text: messages[docs[u]!.members[0]!]!.text, weight: docs[u]!.members.length }))),
      kind: kindOfMessages(cluster.map((u) => ({ text: messages[docs[u]!.members[0]!]!.text, normalized: docs[u]!.normalized, weight: docs[u]!.members.length }))),
      representatives: closeness.slice(0, 5).map(([u]) => representativeText(messages[docs[u]!.members[0]!]!.text)),
    };
  });
  const ids = carryIds(built.map((b) => ({ memberKeys: b.memberKeys, centroid: b.terms })), options.previous?.topics ?? []);
  const topics: Topic[] = built.map((b, i) => {
    const growth = weeklyGrowth(b.memberMessages.map((m) => m.time), now, earliest, b.members.map(askerOf));
    return {
      id: ids[i]!,
      label: topicLabel(b.keywords, b.lang),
      lang: b.lang,
      keywords: b.keywords,
      kind: b.kind,
      size: new Set(b.members.map(askerOf)).size,
      messages: b.memberMessages.reduce((n, m) => n + (m.messages ?? 1), 0),
      members: b.members,
      representatives: b.representatives,
      ...timeSpan(b.memberMessages),
      channels: channelCounts(b.memberMessages),
      departments: likelyDepartments(b.memberMessages, options.departmentOf),
      ...growth,
    };
  });
  const inTopic = new Set(topics.flatMap((t) => t.members));
  const noise = messages.map((_, i) => i).filter((i) => !inTopic.has(i));
  const idf: Record<string, number> = {};
  const vocabIndex = new Map(corpus.vocabulary.map((t, i) => [t, i]));
  for (const b of built) for (const t of b.terms.keys()) idf[t] = round(corpus.idf[vocabIndex.get(t)!]!);
  const state: TopicState = {
    version: 1,
    documents: docs.length,
    idf,
    topics: built.map((b, i) => ({ id: ids[i]!, centroid: [...b.terms], memberKeys: b.memberKeys })),
  };
  const hasTimes = times.length > 0;
  const ranked = rankTopics(topics, options.rankBy ?? (hasTimes ? 'trend' : 'size'));
  lap('describe');
  return { topics: ranked, noise, state, timings };
}

/** Adds each left-out text to the topic whose centre is closest, when at least `threshold` close. */
function attachLeftOut(vectors: readonly SparseVector[], grouped: Clustering, threshold: number): number[][] {
  if (threshold >= 1 || grouped.clusters.length === 0) return grouped.clusters;
  const centroids = grouped.clusters.map((c) => centroidOf(c.map((u) => [vectors[u]!, 1] as const)));
  const byTerm = new Map<number, number[]>();
  centroids.forEach((c, ci) => {
    for (const t of c.keys()) {
      const list = byTerm.get(t) ?? [];
      list.push(ci);
      byTerm.set(t, list);
    }
  });
  const clusters = grouped.clusters.map((c) => [...c]);
  for (const u of grouped.noise) {
    const v = vectors[u]!;
    const seen = new Set<number>();
    let best = -1;
    let bestSim = threshold;
    for (let j = 0; j < v.idx.length; j++) {
      for (const ci of byTerm.get(v.idx[j]!) ?? []) {
        if (seen.has(ci)) continue;
        seen.add(ci);
        const sim = dotMap(v, centroids[ci]!);
        if (sim >= bestSim) [best, bestSim] = [ci, sim];
      }
    }
    if (best >= 0) clusters[best]!.push(u);
  }
  for (const c of clusters) c.sort((a, b) => a - b);
  return clusters;
}

function centroidOf(vectors: ReadonlyArray<readonly [SparseVector, number]>): Map<number, number> {
  const sum = new Map<number, number>();
  for (const [v, w] of vectors) for (let j = 0; j < v.idx.length; j++) sum.set(v.idx[j]!, (sum.get(v.idx[j]!) ?? 0) + v.val[j]! * w);
  let norm = 0;
  for (const x of sum.values()) norm += x * x;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (const [k, x] of sum) sum.set(k, x * scale);
  return sum;
}

function dotMap(v: SparseVector, m: ReadonlyMap<number, number>): number {
  let s = 0;
  for (let j = 0; j < v.idx.length; j++) s += v.val[j]! * (m.get(v.idx[j]!) ?? 0);
  return s;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
