/** One HTTP load run with autocannon: every request gets a fresh body; latencies of all responses are kept for p50/p95/p99. */
import autocannon from 'autocannon';
import { Latencies } from './latency.ts';

export interface HttpLoadOptions {
  url: string;
  path: string;
  headers?: Record<string, string>;
  /** A new request body for each request. */
  body: () => string;
  connections: number;
  /** Requests to send in all (every one is answered before the run ends, so counts are exact). */
  amount: number;
  /** Requests per second over all connections; unset sends as fast as the server answers. */
  overallRate?: number;
  /** Called about every 250 ms while the run lasts (RSS sampling). */
  onTick?: () => void;
}

/** What a run measured. */
export interface LoadResult {
  /** Responses with a 2xx status (acknowledged messages). */
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  seconds: number;
  latency: Latencies;
}

export async function runHttpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  const latency = new Latencies();
  let ok = 0;
  let non2xx = 0;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    amount: options.amount,
    overallRate: options.overallRate,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json', ...options.headers },
        setupRequest: (request) => ({ ...request, body: options.body() }),
      },
    ],
  });
  // autocannon 8 emits (client, statusCode, bytes, ms); @types/autocannon still describes version 7.
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    latency.add(ms);
    if (status >= 200 && status < 300) ok++;
    else non2xx++;
  });
  const tick = options.onTick ? setInterval(options.onTick, 250) : undefined;
  const started = performance.now();
  const result = await instance;
  clearInterval(tick);
  return { ok, non2xx, errors: result.errors + result.timeouts, seconds: (performance.now() - started) / 1000, latency };
}
