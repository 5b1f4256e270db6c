/** Multinomial logistic regression on sparse features, trained with AdaGrad and L2 regularisation. */
import type { SparseVector } from './sparse-vector.ts';
import { seededRandom, shuffle } from './random.ts';

export interface SoftmaxRegressionOptions {
  /** Passes over the data; by default fewer when every class has many examples (see `epochsFor`). */
  epochs?: number;
  learningRate: number;
  l2: number;
  seed: number;
}

const GRADIENT_FLOOR = 1e-4;

export const DEFAULT_SOFTMAX_OPTIONS: SoftmaxRegressionOptions = { learningRate: 0.4, l2: 1e-5, seed: 7 };

/**
 * About 500 updates per class: 15 passes for a knowledge base with a few dozen texts per entry, down to
 * 5 when entries have a hundred or more (more passes then only sharpen probabilities and cost minutes).
 */
export function epochsFor(examples: number, classes: number): number {
  const perClass = examples / Math.max(1, classes);
  return Math.min(15, Math.max(5, Math.round(500 / Math.max(1, perClass))));
}

export class SoftmaxRegression {
  /** Weights, feature-major: weights[f * numClasses + c]. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;

  constructor(
    readonly numFeatures: number,
    readonly numClasses: number,
    weights?: Float32Array,
    bias?: Float32Array,
  ) {
    this.weights = weights ?? new Float32Array(numFeatures * numClasses);
    this.bias = bias ?? new Float32Array(numClasses);
  }

  static train(
    xs: readonly SparseVector[],
    ys: ArrayLike<number>,
    numFeatures: number,
    numClasses: number,
    options: Partial<SoftmaxRegressionOptions> = {},
  ): SoftmaxRegression {
    const opt = { ...DEFAULT_SOFTMAX_OPTIONS, ...options };
    const model = new SoftmaxRegression(numFeatures, numClasses);
    const C = numClasses;
    const W = model.weights;
    const b = model.bias;
    const gW = new Float32Array(W.length);
    const gB = new Float32Array(C);
    const probs = new Float64Array(C);
    const order = Array.from(xs.keys());
    const random = seededRandom(opt.seed);
    const eps = 1e-8;
    const active = new Int32Array(C);
    const lr = opt.learningRate;
    const l2 = opt.l2;
    let previousLoss = Infinity;
    const epochs = opt.epochs ?? epochsFor(xs.length, numClasses);
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, random);
      let loss = 0;
      for (const n of order) {
        const x = xs[n]!;
        const y = ys[n]!;
        model.scoresInto(x, probs);
        softmaxInPlace(probs);
        loss -= Math.log(Math.max(probs[y]!, 1e-12));
        probs[y]! -= 1;
        // Classes with a negligible gradient are skipped: after the first epochs that is most of them.
        let activeCount = 0;
        for (let c = 0; c < C; c++) {
          const g = probs[c]!;
          if (Math.abs(g) < GRADIENT_FLOOR) continue;
          active[activeCount++] = c;
          gB[c]! += g * g;
          b[c]! -= (lr * g) / Math.sqrt(gB[c]! + eps);
        }
        for (let k = 0; k < x.idx.length; k++) {
          const base = x.idx[k]! * C;
          const v = x.val[k]!;
          for (let a = 0; a < activeCount; a++) {
            const c = active[a]!;
            const i = base + c;
            const g = probs[c]! * v + l2 * W[i]!;
            const acc = gW[i]! + g * g;
            gW[i] = acc;
            W[i]! -= (lr * g) / Math.sqrt(acc + eps);
          }
        }
      }
      loss /= Math.max(1, xs.length);
      if (previousLoss - loss < 1e-4 * Math.max(1, previousLoss) && epoch > 3) break;
      previousLoss = loss;
    }
    return model;
  }

  /** Raw class scores (logits) of `x`, written into `out`. */
  scoresInto(x: SparseVector, out: Float64Array): void {
    const C = this.numClasses;
    for (let c = 0; c < C; c++) out[c] = this.bias[c]!;
    for (let k = 0; k < x.idx.length; k++) {
      const base = x.idx[k]! * C;
      const v = x.val[k]!;
      for (let c = 0; c < C; c++) out[c]! += v * this.weights[base + c]!;
    }
  }

  /** Class probabilities of `x`. */
  predictProba(x: SparseVector): Float64Array {
    return this.predict(x).probs;
  }

  /** Class probabilities of `x` and its highest logit (evidence before normalisation). */
  predict(x: SparseVector): { probs: Float64Array; topLogit: number } {
    const probs = new Float64Array(this.numClasses);
    this.scoresInto(x, probs);
    let topLogit = -Infinity;
    for (const v of probs) if (v > topLogit) topLogit = v;
    softmaxInPlace(probs);
    return { probs, topLogit };
  }
}

function softmaxInPlace(v: Float64Array): void {
  let max = -Infinity;
  for (const s of v) if (s > max) max = s;
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const e = Math.exp(v[i]! - max);
    v[i] = e;
    sum += e;
  }
  for (let i = 0; i < v.length; i++) v[i]! /= sum;
}
