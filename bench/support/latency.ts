/** Latency samples and their percentiles, for the load benchmarks. */

export class Latencies {
  private readonly samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  /** Adds every sample of `other` (to pool phases of the same kind). */
  merge(other: Latencies): void {
    for (const ms of other.samples) this.samples.push(ms);
  }

  get count(): number {
    return this.samples.length;
  }

  /** The q-quantile (0..1) in ms, nearest rank; NaN without samples. */
  percentile(q: number): number {
    if (this.samples.length === 0) return Number.NaN;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  }
}
