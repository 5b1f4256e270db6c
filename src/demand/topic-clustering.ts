/**
 * Density-aware grouping: centroid-linkage agglomeration over the nearest-neighbour graph. Pairs of groups joined by a
 * neighbour edge merge, most similar first, while their centres stay similar enough; groups smaller than the minimum
 * topic size are left out as one-off noise.
 */
import type { SparseVector } from '../nlu/sparse-vector.ts';
import { MaxHeap } from './max-heap.ts';
import type { NeighbourLists } from './similarity-graph.ts';

export interface ClusteringOptions {
  /** Two groups merge while the cosine of their centres is at least this. */
  mergeThreshold: number;
  /** Smallest topic, in messages (duplicates count). */
  minSize: number;
  /** Terms kept in a group's centre. */
  centroidTerms: number;
}

/** The groups found (indexes into the vectors, each group ascending, groups by first member) and the texts left out. */
export interface Clustering {
  clusters: number[][];
  noise: number[];
}

interface Group {
  centroid: Map<number, number>;
  norm: number;
  weight: number;
  version: number;
  members: number[];
}

/** Groups vectors; `weights` are how many messages each vector stands for (near-identical texts share one vector). */
export function clusterVectors(
  vectors: readonly SparseVector[],
  weights: readonly number[],
  neighbours: NeighbourLists,
  options: ClusteringOptions,
): Clustering {
  const n = vectors.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const groups: Array<Group | undefined> = vectors.map((v, i) => {
    const centroid = new Map<number, number>();
    const w = weights[i] ?? 1;
    for (let j = 0; j < v.idx.length; j++) centroid.set(v.idx[j]!, v.val[j]! * w);
    return { centroid, norm: normOf(centroid), weight: w, version: 0, members: [i] };
  });
  const heap = new MaxHeap<[number, number, number, number]>();
  for (let a = 0; a < n; a++) {
    for (const [b, sim] of neighbours[a]!) if (a < b || !neighbours[b]!.some(([x]) => x === a)) {
      if (sim >= options.mergeThreshold) heap.push(sim, [a, b, 0, 0]);
    }
  }
  for (let top = heap.pop(); top; top = heap.pop()) {
    const [a, b, va, vb] = top.item;
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    const ga = groups[ra]!;
    const gb = groups[rb]!;
    if (ga.version !== va || gb.version !== vb || ra !== a || rb !== b) {
      const sim = cosine(ga, gb);
      if (sim >= options.mergeThreshold) heap.push(sim, [ra, rb, ga.version, gb.version]);
      continue;
    }
    const [big, small, rBig, rSmall] = ga.members.length >= gb.members.length ? [ga, gb, ra, rb] : [gb, ga, rb, ra];
    for (const [t, v] of small.centroid) big.centroid.set(t, (big.centroid.get(t) ?? 0) + v);
    prune(big.centroid, options.centroidTerms);
    big.norm = normOf(big.centroid);
    big.weight += small.weight;
    for (const m of small.members) big.members.push(m);
    big.version++;
    parent[rSmall] = rBig;
    groups[rSmall] = undefined;
  }
  const clusters: number[][] = [];
  const noise: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (!g) continue;
    if (g.weight >= options.minSize) clusters.push(g.members.sort((x, y) => x - y));
    else noise.push(...g.members);
  }
  clusters.sort((x, y) => x[0]! - y[0]!);
  return { clusters, noise: noise.sort((x, y) => x - y) };
}

function cosine(a: Group, b: Group): number {
  const [small, big] = a.centroid.size <= b.centroid.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, v] of small.centroid) {
    const w = big.centroid.get(t);
    if (w !== undefined) dot += v * w;
  }
  return a.norm > 0 && b.norm > 0 ? dot / (a.norm * b.norm) : 0;
}

function normOf(m: Map<number, number>): number {
  let s = 0;
  for (const v of m.values()) s += v * v;
  return Math.sqrt(s);
}

function prune(m: Map<number, number>, keep: number): void {
  if (m.size <= keep * 2) return;
  const sorted = [...m].sort((x, y) => y[1] - x[1]);
  m.clear();
  for (const [t, v] of sorted.slice(0, keep)) m.set(t, v);
}
