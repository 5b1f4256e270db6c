/**
 * Open-loop HTTP load at a steady rate: request i is due at start + i / rate whatever the server is doing,
 * and its latency counts from when it was due, so a slow server cannot hide behind a slower client (no
 * coordinated omission). autocannon's `overallRate` instead fires each connection's whole budget at the start
 * of every second, which measures a burst of `rate` requests, not a rate.
 */
import { Agent, request } from 'node:http';
import type { LoadResult } from './http-load.ts';
import { Latencies } from './latency.ts';

export interface PacedLoadOptions {
  url: string;
  path: string;
  headers?: Record<string, string>;
  body: () => string;
  /** Requests per second. */
  rate: number;
  amount: number;
  /** Keep-alive connections the client may open. */
  connections: number;
  onTick?: () => void;
}

export async function runPacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.path, options.url);
  const latency = new Latencies();
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let settled = 0;
  const started = performance.now();
  const tick = options.onTick ? setInterval(options.onTick, 250) : undefined;

  await new Promise<void>((finish) => {
    const settle = (): void => {
      if (++settled === options.amount) finish();
    };
    const send = (due: number): void => {
      const body = options.body();
      const req = request(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...options.headers } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latency.add(performance.now() - due);
            if (res.statusCode! >= 200 && res.statusCode! < 300) ok++;
            else non2xx++;
            settle();
          });
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        settle();
      });
      req.end(body);
    };
    const pump = setInterval(() => {
      const now = performance.now();
      while (sent < options.amount) {
        const due = started + (sent * 1000) / options.rate;
        if (due > now) break;
        sent++;
        send(due);
      }
      if (sent >= options.amount) clearInterval(pump);
    }, 1);
  });
  clearInterval(tick);
  agent.destroy();
  return { ok, non2xx, errors, seconds: (performance.now() - started) / 1000, latency };
}
