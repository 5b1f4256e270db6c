/** A refused login's answer is held for a moment (a tarpit), never more than a bounded number at once, and a client that hangs up frees its place. */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefusalDelay } from '../src/server/refusal-delay.ts';

const DELAY_MS = 600;
const delay = new RefusalDelay(DELAY_MS, 3);
let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.post('/login', (_req, res) => delay.send(res, () => res.status(429).json({ error: 'throttled' })));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/login`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const timed = async (): Promise<{ status: number; ms: number }> => {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST' });
  return { status: res.status, ms: performance.now() - started };
};

describe('refused logins are answered late', () => {
  it('holds the refusal for the delay, and sends the ones past the limit at once', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => timed()));
    expect(answers.every((a) => a.status === 429)).toBe(true);
    const late = answers.filter((a) => a.ms >= DELAY_MS - 20);
    // Three wait (the limit); the two beyond it are not held.
    expect(late).toHaveLength(3);
    expect(delay.waiting).toBe(0);
  });

  it('waits no longer than the client has to wait anyway', async () => {
    const short = new RefusalDelay(5_000, 3);
    const app = express();
    app.post('/login', (_req, res) => short.send(res, () => res.status(429).json({ error: 'throttled' }), 50));
    const local = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => local.once('listening', resolve));
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/login`, { method: 'POST' });
    expect(res.status).toBe(429);
    expect(performance.now() - started).toBeLessThan(4_000);
    await new Promise((resolve) => local.close(resolve));
  });

  it('frees the place of a client that hangs up before its answer', async () => {
    const aborts = Array.from({ length: 3 }, () => new AbortController());
    const calls = aborts.map((a) => fetch(url, { method: 'POST', signal: a.signal }).catch(() => null));
    await expect.poll(() => delay.waiting).toBe(3);
    for (const a of aborts) a.abort();
    await Promise.all(calls);
    await expect.poll(() => delay.waiting).toBe(0);
    // The places are free again: a new refusal waits its turn rather than going out at once.
    expect((await timed()).ms).toBeGreaterThanOrEqual(DELAY_MS - 20);
  });
});
