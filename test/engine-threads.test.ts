import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEngine } from '../src/bot-runtime.ts';
import type { EnginePool } from '../src/threads/engine-pool.ts';
import { engineThreadCount } from '../src/threads/engine-thread-count.ts';
import { SHARED_MODEL_CACHE } from './support/paths.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { waitFor } from './support/wait-for.ts';

// A small knowledge base (two departments) so that the reload below retrains in seconds.
const FILES = ['departments.yaml', 'service-hours.yaml', 'canned-replies.yaml', 'health.yaml', 'housing-fund.yaml'];

let server: TestServer;
let pool: EnginePool;
let knowledge: string;
let failures = 0;

interface Answer {
  conversationId: string;
  outcome: string;
  replies: Array<{ text: string; entryId?: string }>;
}

const ask = async (text: string, conversationId?: string): Promise<Answer> => {
  const res = await fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, conversationId }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
};


beforeAll(async () => {
  knowledge = mkdtempSync(join(tmpdir(), 'huiying-threads-kb-'));
  for (const f of FILES) copyFileSync(join('knowledge', f), join(knowledge, f));
  server = await startTestServer({ config: { ENGINE_THREADS: '2', KNOWLEDGE_DIR: knowledge } });
  server.service.on('responderFailed', () => failures++);
  const started = server.engineThreads;
  if (!started) throw new Error('the engine threads did not start');
  pool = started;
});

afterAll(async () => {
  await server?.stop();
  rmSync(knowledge, { recursive: true, force: true });
});

describe('engine threads', () => {
  it('answer as the engine on the main thread does, conversation context included', async () => {
    expect(pool.size).toBe(2);
    // The main thread let its model go once the threads answered; the comparison engine is built here.
    expect(server.service.engineOnThisThread).toBeNull();
    const reference = await buildEngine({ KNOWLEDGE_DIR: knowledge, INTENTS_DIR: 'intents', MODEL_CACHE_DIR: SHARED_MODEL_CACHE, ENGINE: 'v1', DECISION_STRICTNESS: 0 });
    const before = pool.answered;
    const analysed = pool.analysisStats.hits + pool.analysisStats.misses;
    const questions = ['出生证明丢了怎么补办', '公积金余额怎么查', '租房可以提取公积金吗', '今天天气怎么样', 'how do I check my housing fund balance'];
    for (const q of questions) {
      const viaThreads = await ask(q);
      const inline = await reference.respond({ channel: 'api', conversationId: 'x', senderId: 'x', text: q, time: new Date() }, { misses: 0 });
      expect(viaThreads.outcome, q).toBe(inline.result.outcome);
      expect(viaThreads.replies.map((r) => r.text)).toEqual(inline.result.replies.map((r) => r.text));
    }
    const first = await ask('公积金贷款怎么申请');
    const follow = await ask('需要什么材料', first.conversationId);
    expect(follow.outcome).toBe('answered');
    expect(follow.replies[0]?.entryId).toBe('housing-fund-loan');
    expect(pool.answered - before).toBe(questions.length + 2);
    // The threads report their analyses (for the metrics): each message was analysed at least once.
    expect(pool.analysisStats.hits + pool.analysisStats.misses - analysed).toBeGreaterThanOrEqual(questions.length + 2);
    expect(failures).toBe(0);
  });

  it('answer in time while one thread is paused (as by a long garbage collection): the request goes to the other', async () => {
    const hedged = pool.hedged;
    await ask('公积金余额怎么查');
    pool.stallOne(1500);
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask('出生证明丢了怎么补办')));
    const ms = performance.now() - started;
    expect(answers.every((a) => a.outcome === 'answered')).toBe(true);
    expect(ms).toBeLessThan(1000);
    expect(pool.hedged).toBeGreaterThan(hedged);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^huiying_engine_hedged_total ${pool.hedged}$`, 'm'));
    await new Promise((r) => setTimeout(r, 1000));
  });

  it('keep answering when a thread dies, and start a new one', async () => {
    const inFlight = Promise.all(Array.from({ length: 20 }, (_, i) => ask(i % 2 ? '公积金余额怎么查' : '出生证明丢了怎么补办')));
    await pool.crashOne();
    const answers = await inFlight;
    expect(answers.every((a) => a.outcome === 'answered')).toBe(true);
    await waitFor(() => pool.size === 2, 'a new engine thread');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^huiying_engine_threads 2$/m);
    expect(metrics).toMatch(new RegExp(`^huiying_engine_thread_fallbacks_total ${failures}$`, 'm'));
    const before = pool.answered;
    expect((await ask('公积金余额怎么查')).outcome).toBe('answered');
    expect(pool.answered).toBe(before + 1);
    // Had a message fallen back to the main thread, it loaded the model there; with the new thread it is let go again.
    expect(server.service.engineOnThisThread).toBeNull();
  });

  it('answer the main thread when every thread has stopped, which then loads the model itself', async () => {
    const restarted = new Promise<void>((resolve) => pool.once('restarted', () => resolve()));
    await pool.crashAll();
    await waitFor(() => pool.size === 0, 'both threads to stop');
    const answer = await ask('公积金余额怎么查');
    expect(answer.outcome).toBe('answered');
    expect(answer.replies[0]?.entryId).toMatch(/^housing-fund-/);
    expect(server.service.engineOnThisThread).not.toBeNull();
    // Routing a case by its question and a staff search also work without threads.
    expect((await server.service.candidates('公积金余额怎么查'))[0]?.entryId).toMatch(/^housing-fund-/);
    await restarted;
    await waitFor(() => pool.size === 2, 'new engine threads');
    expect(server.service.engineOnThisThread).toBeNull();
    const search = await server.service.search('公积金');
    expect(search.map((e) => e.id)).toContain(answer.replies[0]?.entryId);
  });

  it('rebuild their engines when the knowledge base is reloaded', async () => {
    expect((await ask('驾驶证到期了怎么换证')).replies[0]?.entryId).toBeUndefined();
    copyFileSync(join('knowledge', 'traffic-driving.yaml'), join(knowledge, 'traffic-driving.yaml'));
    const failed = failures;
    // The current threads answer while the new generation builds; nothing falls back to the main thread.
    const reloaded = server.reload();
    const during = await Promise.all(Array.from({ length: 10 }, () => ask('公积金余额怎么查')));
    expect(await reloaded).toBeNull();
    expect(during.every((a) => a.outcome === 'answered')).toBe(true);
    expect(failures).toBe(failed);
    expect(server.service.engineOnThisThread).toBeNull();
    expect(pool.size).toBe(2);
    expect(server.service.knowledgeBase.entries.some((e) => e.id.startsWith('traffic-'))).toBe(true);
    const before = pool.answered;
    const answer = await ask('驾驶证到期了怎么换证');
    expect(answer.outcome).toBe('answered');
    expect(answer.replies[0]?.entryId).toMatch(/^traffic-/);
    expect(pool.answered).toBe(before + 1);
  });
});

describe('ENGINE_THREADS=auto', () => {
  it('leaves one core to the main thread, runs two at least (one answers while the other collects garbage) and four at most', () => {
    expect(engineThreadCount('auto', 1)).toBe(0);
    expect(engineThreadCount('auto', 2)).toBe(2);
    expect(engineThreadCount('auto', 4)).toBe(3);
    expect(engineThreadCount('auto', 16)).toBe(4);
    expect(engineThreadCount(3, 2)).toBe(3);
  });
});
