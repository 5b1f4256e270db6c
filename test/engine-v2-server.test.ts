/** The server with ENGINE=v2: engine threads build the retrieval index, answer, say "I don't know", and a restart loads the cache. */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../src/knowledge/knowledge-loader.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { waitFor } from './support/wait-for.ts';

let cache: string;
let knowledge: string;
let server: TestServer | undefined;

interface Answer {
  outcome: string;
  replies: Array<{ text: string; entryId?: string }>;
}

const ask = async (url: string, text: string): Promise<Answer> => {
  const res = await fetch(`${url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
};

const start = (): Promise<TestServer> => startTestServer({ config: { ENGINE: 'v2', ENGINE_THREADS: '2', MODEL_CACHE_DIR: cache, KNOWLEDGE_DIR: knowledge } });

beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'huiying-v2-cache-'));
  knowledge = mkdtempSync(join(tmpdir(), 'huiying-v2-knowledge-'));
  cpSync('knowledge', knowledge, { recursive: true });
});

afterAll(async () => {
  await server?.stop();
  rmSync(cache, { recursive: true, force: true });
  rmSync(knowledge, { recursive: true, force: true });
});

describe('the server on engine v2', () => {
  it('answers a paraphrase with the right entry and says it does not know an unrelated question', { timeout: 120_000 }, async () => {
    server = await start();
    expect(server.engineThreads?.size).toBe(2);
    const known = await ask(server.url, '护照快过期了，怎么换新的');
    expect(known.outcome).toBe('answered');
    expect(known.replies[0]?.entryId).toBe('exit-entry-passport-renewal');
    const unknown = await ask(server.url, '推荐几只股票');
    expect(unknown.outcome).toBe('unanswered');
    // The model was written once, as a binary buffer with the knowledge base it indexes, and its intents beside
    // it; the knowledge files' YAML is kept as data for the next start.
    expect(readdirSync(cache).sort()).toEqual([
      expect.stringMatching(/^intents-\w+\.json$/),
      'knowledge-yaml-v1.json',
      expect.stringMatching(/^model-v2-\w+\.bin$/),
      expect.stringMatching(/^model-v2-\w+\.json$/),
      expect.stringMatching(/^model-v2-\w+\.kb\.json$/),
      'model-v2-latest.json',
    ]);
  });

  it('loads the cached model after a restart and answers the same', { timeout: 120_000 }, async () => {
    await server?.stop();
    server = await start();
    expect(server.service.modelInfo.fromCache).toBe(true);
    const known = await ask(server.url, '护照快过期了，怎么换新的');
    expect(known.replies[0]?.entryId).toBe('exit-entry-passport-renewal');
  });

  it('answers an entry published since, on every thread, without building the whole index again', { timeout: 120_000 }, async () => {
    expect((await ask(server!.url, '养狗要去哪里办狗证')).outcome).toBe('unanswered');
    writeFileSync(
      join(knowledge, 'public-security-dogs.yaml'),
      [
        'department: public-security',
        'entries:',
        '  - id: public-security-dog-registration',
        '    title: { zh: 养犬登记 }',
        '    questions:',
        '      zh: [养犬登记怎么办理, 养狗要办狗证吗, 犬只登记需要带什么材料, 狗证在哪里办]',
        '    answer:',
        '      zh: 携犬只免疫证明到居住地派出所办理养犬登记。',
        '',
      ].join('\n'),
    );
    // The threads answer while they rebuild, one at a time.
    const reloaded = server!.reload();
    const during = await Promise.all(Array.from({ length: 10 }, () => ask(server!.url, '公积金余额怎么查')));
    expect(await reloaded).toBeNull();
    expect(during.every((a) => a.outcome === 'answered')).toBe(true);
    expect(server!.engineThreads?.size).toBe(2);
    // Both threads answer it (each request goes to the thread with the fewest in flight).
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask(server!.url, '养狗要去哪里办狗证')));
    for (const a of answers) expect(a.replies[0]?.entryId).toBe('public-security-dog-registration');
    expect((await ask(server!.url, '护照快过期了，怎么换新的')).replies[0]?.entryId).toBe('exit-entry-passport-renewal');
    // Served as an edit over the index built at start-up: no second index was written.
    expect(readdirSync(cache).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
  });

  it('keeps answering with the last good knowledge base when a reload finds a broken file', { timeout: 120_000 }, async () => {
    writeFileSync(join(knowledge, 'broken.yaml'), 'department: public-security\nentries:\n  - id: [unclosed\n');
    const error = await server!.reload();
    expect(error?.message).toMatch(/broken\.yaml/);
    expect((await ask(server!.url, '养狗要去哪里办狗证')).replies[0]?.entryId).toBe('public-security-dog-registration');
    expect(server!.engineThreads?.size).toBe(2);
    rmSync(join(knowledge, 'broken.yaml'));
  });

  it('stops a thread that does not rebuild in time, instead of holding every later reload, and ends with both threads on the new knowledge', { timeout: 120_000 }, async () => {
    const pool = server!.engineThreads!;
    writeFileSync(
      join(knowledge, 'public-security-cats.yaml'),
      ['department: public-security', 'entries:', '  - id: public-security-cat-chip', '    title: { zh: 猫咪芯片登记 }', '    questions:', '      zh: [猫咪芯片登记怎么办理, 给猫植入芯片去哪里登记]', '    answer:', '      zh: 到宠物医院植入芯片后在线登记。', ''].join('\n'),
    );
    const replaced = new Promise<void>((resolve) => pool.once('restarted', () => resolve()));
    // As a thread stuck in its rebuild: without the time limit this reload (and every later one) would wait for it.
    pool.stallOne(60_000);
    await pool.rebuild(loadKnowledgeBase(knowledge), { reloadTimeoutMs: 500 });
    await replaced;
    await waitFor(() => pool.size === 2, 'the replaced thread');
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask(server!.url, '给猫植入芯片去哪里登记')));
    for (const a of answers) expect(a.replies[0]?.entryId).toBe('public-security-cat-chip');
  });
});
