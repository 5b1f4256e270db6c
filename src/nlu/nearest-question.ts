/** Cosine similarity of a question to its nearest training question of each class, through an inverted index. */
import type { SparseVector } from './sparse-vector.ts';

export class NearestQuestionIndex {
  private readonly start: Int32Array;
  private readonly docs: Int32Array;
  private readonly weights: Float32Array;
  private readonly dots: Float64Array;

  constructor(
    vectors: readonly SparseVector[],
    private readonly labels: Int32Array,
    private readonly numClasses: number,
    numFeatures: number,
  ) {
    const counts = new Int32Array(numFeatures + 1);
    for (const v of vectors) for (const f of v.idx) counts[f + 1]!++;
    for (let f = 0; f < numFeatures; f++) counts[f + 1]! += counts[f]!;
    this.start = counts;
    const fill = Int32Array.from(counts);
    this.docs = new Int32Array(counts[numFeatures]!);
    this.weights = new Float32Array(counts[numFeatures]!);
    vectors.forEach((v, d) => {
      for (let k = 0; k < v.idx.length; k++) {
        const pos = fill[v.idx[k]!]!++;
        this.docs[pos] = d;
        this.weights[pos] = v.val[k]!;
      }
    });
    this.dots = new Float64Array(vectors.length);
  }

  /** Per class, the highest cosine similarity between `x` and one of the class's questions. */
  classSimilarities(x: SparseVector): Float64Array {
    const dots = this.dots;
    const touched: number[] = [];
    for (let k = 0; k < x.idx.length; k++) {
      const f = x.idx[k]!;
      const v = x.val[k]!;
      for (let p = this.start[f]!; p < this.start[f + 1]!; p++) {
        const d = this.docs[p]!;
        if (dots[d] === 0) touched.push(d);
        dots[d]! += v * this.weights[p]!;
      }
    }
    const best = new Float64Array(this.numClasses);
    for (const d of touched) {
      const c = this.labels[d]!;
      if (dots[d]! > best[c]!) best[c] = dots[d]!;
      dots[d] = 0;
    }
    return best;
  }
}
