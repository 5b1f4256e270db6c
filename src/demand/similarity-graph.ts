/** Nearest neighbours by cosine similarity through an inverted index, pruned so 100,000 texts take seconds. */
import { sparseDot, type SparseVector } from '../nlu/sparse-vector.ts';

/** Neighbour lists: for each text, up to k (index, similarity) pairs, most similar first. */
export type NeighbourLists = Array<Array<[number, number]>>;

export interface NeighbourOptions {
  /** Neighbours kept per text. */
  k: number;
  /** Pairs below this similarity are not kept. */
  minSimilarity: number;
  /** Strongest terms of a text used to find candidates (all terms when the corpus is small). */
  queryTerms?: number;
  /** Longest posting list walked per term: the texts where the term weighs most. */
  postingLimit?: number;
}

/** The k nearest neighbours of every vector (cosine; vectors are L2 normalised). */
export function nearestNeighbours(vectors: readonly SparseVector[], vocabularySize: number, options: NeighbourOptions): NeighbourLists {
  const n = vectors.length;
  const small = n <= 3000;
  const queryTerms = options.queryTerms ?? (small ? Infinity : 8);
  const postingLimit = options.postingLimit ?? (small ? Infinity : 120);
  const postings = buildPostings(vectors, vocabularySize, postingLimit);
  const score = new Float64Array(n);
  const touched: number[] = [];
  const result: NeighbourLists = [];
  for (let d = 0; d < n; d++) {
    const v = vectors[d]!;
    const order = strongestTerms(v, queryTerms);
    for (const p of order) {
      const term = v.idx[p]!;
      const weight = v.val[p]!;
      const list = postings[term]!;
      for (let j = 0; j < list.docs.length; j++) {
        const e = list.docs[j]!;
        if (e === d) continue;
        if (score[e] === 0) touched.push(e);
        score[e] = score[e]! + weight * list.weights[j]!;
      }
    }
    const exact = queryTerms === Infinity && postingLimit === Infinity;
    let candidates = topScores(touched, score, exact ? options.k : options.k * 2);
    for (const e of touched) score[e] = 0;
    touched.length = 0;
    if (!exact) {
      candidates = candidates.map(([e]): [number, number] => [e, sparseDot(v, vectors[e]!)]);
      candidates.sort((a, b) => b[1] - a[1]);
    }
    result.push(candidates.filter(([, s]) => s >= options.minSimilarity).slice(0, options.k));
  }
  return result;
}

/** The `limit` highest-scoring of the touched indexes, best first, without sorting them all. */
function topScores(touched: readonly number[], score: Float64Array, limit: number): Array<[number, number]> {
  const best: Array<[number, number]> = [];
  for (const e of touched) {
    const s = score[e]!;
    if (best.length === limit && s <= best[limit - 1]![1]) continue;
    let i = best.length < limit ? best.length : limit - 1;
    if (best.length < limit) best.push([e, s]);
    while (i > 0 && best[i - 1]![1] < s) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = [e, s];
  }
  return best;
}

interface Posting {
  docs: number[];
  weights: number[];
}

function buildPostings(vectors: readonly SparseVector[], vocabularySize: number, limit: number): Posting[] {
  const postings: Posting[] = Array.from({ length: vocabularySize }, () => ({ docs: [], weights: [] }));
  vectors.forEach((v, d) => {
    for (let i = 0; i < v.idx.length; i++) {
      const p = postings[v.idx[i]!]!;
      p.docs.push(d);
      p.weights.push(v.val[i]!);
    }
  });
  if (limit === Infinity) return postings;
  return postings.map((p) => {
    if (p.docs.length <= limit) return p;
    const order = p.docs.map((_, i) => i).sort((a, b) => p.weights[b]! - p.weights[a]!).slice(0, limit);
    return { docs: order.map((i) => p.docs[i]!), weights: order.map((i) => p.weights[i]!) };
  });
}

function strongestTerms(v: SparseVector, limit: number): number[] {
  const positions = Array.from(v.idx, (_, i) => i);
  if (positions.length <= limit) return positions;
  return positions.sort((a, b) => v.val[b]! - v.val[a]!).slice(0, limit);
}
