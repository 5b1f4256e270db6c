/** A small dense logistic regression that turns decision features into the confidence that the top answer is right. */

export interface RejectionModelState {
  weights: number[];
  bias: number;
  mean: number[];
  std: number[];
}

export class RejectionModel {
  constructor(readonly state: RejectionModelState) {}

  static fit(rows: readonly number[][], labels: readonly number[], iterations = 800, l2 = 0.05): RejectionModel {
    const dims = rows[0]?.length ?? 0;
    const mean = Array.from({ length: dims }, (_, j) => avg(rows.map((r) => r[j]!)));
    const std = Array.from({ length: dims }, (_, j) => Math.sqrt(avg(rows.map((r) => (r[j]! - mean[j]!) ** 2))) || 1);
    const xs = rows.map((r) => r.map((v, j) => (v - mean[j]!) / std[j]!));
    const w = new Array<number>(dims).fill(0);
    let b = 0;
    const positives = labels.filter((l) => l === 1).length;
    // Balance the classes so a skewed split does not push every confidence to one side.
    const posWeight = positives > 0 ? labels.length / (2 * positives) : 1;
    const negWeight = positives < labels.length ? labels.length / (2 * (labels.length - positives)) : 1;
    const lr = 0.5;
    for (let it = 0; it < iterations; it++) {
      const gw = new Array<number>(dims).fill(0);
      let gb = 0;
      xs.forEach((x, n) => {
        const y = labels[n]!;
        const p = sigmoid(dot(w, x) + b);
        const g = (p - y) * (y === 1 ? posWeight : negWeight);
        for (let j = 0; j < dims; j++) gw[j]! += g * x[j]!;
        gb += g;
      });
      for (let j = 0; j < dims; j++) w[j]! -= lr * (gw[j]! / xs.length + l2 * w[j]!);
      b -= (lr * gb) / xs.length;
    }
    return new RejectionModel({ weights: w, bias: b, mean, std });
  }

  confidence(features: readonly number[]): number {
    const { weights, bias, mean, std } = this.state;
    let z = bias;
    for (let j = 0; j < weights.length; j++) z += weights[j]! * ((features[j]! - mean[j]!) / std[j]!);
    return sigmoid(z);
  }
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function avg(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}
