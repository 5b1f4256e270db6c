/**
 * What held the server's answers back during a run, read from its /metrics: the longest event-loop delay
 * (prom-client resets it at each scrape, so a scrape before the run starts the count) and the slowest WAL
 * fsync (the disk), as the histogram bucket it fell in. A p99 that misses its target is one or the other.
 */

export interface StallSnapshot {
  /** Cumulative WAL sync counts per bucket bound (seconds; Infinity for +Inf). */
  syncBuckets: Map<number, number>;
}

export interface Stalls {
  /** Longest event-loop delay during the run, ms. */
  loopMaxMs: number;
  /** Upper bound (ms) of the bucket of the slowest WAL sync during the run; Infinity above the last bucket, 0 with no sync. */
  slowestSyncMs: number;
}

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

function syncBuckets(metrics: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const m of metrics.matchAll(/^huiying_store_sync_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
    buckets.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/** Mean and bucketed p50/p99 of all the server's WAL fsync times so far (huiying_store_sync_seconds). */
export function walSyncSummary(metrics: string): string {
  const buckets = [...syncBuckets(metrics)].sort(([a], [b]) => a - b);
  const count = Number(/^huiying_store_sync_seconds_count (\S+)$/m.exec(metrics)?.[1] ?? 0);
  const sum = Number(/^huiying_store_sync_seconds_sum (\S+)$/m.exec(metrics)?.[1] ?? 0);
  if (count === 0) return 'no syncs';
  const within = (q: number): string => {
    const bound = buckets.find(([, n]) => n >= q * count)?.[0] ?? Number.POSITIVE_INFINITY;
    return Number.isFinite(bound) ? `≤ ${bound * 1000} ms` : '> 1 s';
  };
  return `${count} syncs, mean ${((sum / count) * 1000).toFixed(1)} ms, p50 ${within(0.5)}, p99 ${within(0.99)}`;
}

/** Call before the run: resets the event-loop maximum and notes the sync counts so far. */
export async function stallSnapshot(url: string): Promise<StallSnapshot> {
  return { syncBuckets: syncBuckets(await scrape(url)) };
}

/** Call after the run: the longest loop delay and the slowest sync since `before`. */
export async function stallsSince(url: string, before: StallSnapshot): Promise<Stalls> {
  const metrics = await scrape(url);
  const loopMax = Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN);
  const after = syncBuckets(metrics);
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const added = (le: number): number => (after.get(le) ?? 0) - (before.syncBuckets.get(le) ?? 0);
  const total = added(Number.POSITIVE_INFINITY);
  const slowest = total === 0 ? 0 : (bounds.find((le) => added(le) === total) ?? Number.POSITIVE_INFINITY);
  return { loopMaxMs: loopMax * 1000, slowestSyncMs: slowest * 1000 };
}
