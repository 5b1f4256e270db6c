/**
 * `npm run bench:serving -- [--entries 10000 --questions 12] [--threads 2] [--engine v2]`: a real server process
 * on a large knowledge base (the Taipei FAQ at scale, bench/support/taipei-scale.ts, written as a knowledge
 * folder). Reports the cold start (building the model), the server's resident memory with its engine threads
 * after answering the held-out questions and its peak, a warm restart (the model from the cache), and how
 * long a reload takes after one entry is published.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { KnowledgeBase } from '../src/knowledge/types.ts';
import { freePort, peakResidentBytes, residentBytes, startServerProcess, type ServerProcess } from '../test/support/server-process.ts';
import { taipeiScaleBase } from './support/taipei-scale.ts';

const { values: args } = parseArgs({
  options: {
    entries: { type: 'string', default: '10000' },
    questions: { type: 'string', default: '12' },
    threads: { type: 'string', default: '2' },
    engine: { type: 'string', default: 'v2' },
    cases: { type: 'string', default: '1000' },
  },
});

/** Writes a knowledge base as a knowledge folder: departments.yaml and one file per department. */
function writeKnowledge(kb: KnowledgeBase, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'departments.yaml'), stringify({ departments: kb.departments }));
  const byDepartment = new Map<string, KnowledgeBase['entries']>();
  for (const e of kb.entries) byDepartment.set(e.department, [...(byDepartment.get(e.department) ?? []), e]);
  for (const [department, entries] of byDepartment) {
    const plain = entries.map(({ file: _file, department: _department, ...rest }) => rest);
    writeFileSync(join(dir, `${department}.yaml`), stringify({ department, entries: plain }));
  }
}

const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;

async function ask(server: ServerProcess, text: string): Promise<string | undefined> {
  const res = await fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
  const body = (await res.json()) as { replies?: Array<{ entryId?: string }> };
  return body.replies?.find((r) => r.entryId)?.entryId;
}

const dir = mkdtempSync(join(tmpdir(), 'huiying-serving-'));
const knowledge = join(dir, 'knowledge');
const { kb, cases } = taipeiScaleBase(Number(args.entries), Number(args.questions), { caseCount: Number(args.cases) });
writeKnowledge(kb, knowledge);
const env = { ENGINE: args.engine, ENGINE_THREADS: args.threads, KNOWLEDGE_DIR: knowledge, MODEL_CACHE_DIR: join(dir, 'models') };
console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; Node ${process.version}`);
console.log(`engine ${args.engine}, ${args.threads} engine threads, ${kb.entries.length} entries × ${args.questions} questions`);
try {
  let started = performance.now();
  let server = await startServerProcess({ dir, port: await freePort(), env, readyTimeoutMs: 900_000 });
  console.log(`cold start (building the model): ${Math.round(performance.now() - started)} ms; RSS ${mb(server.rss())}`);
  let right = 0;
  for (const c of cases) if (c.expect !== null && (await ask(server, c.text)) === c.expect) right++;
  const answerable = cases.filter((c) => c.expect !== null).length;
  console.log(`after ${cases.length} questions (${right} of ${answerable} answerable answered right): RSS ${mb(server.rss())}, peak ${mb(peakResidentBytes(server.child.pid))}`);
  await server.stop();

  started = performance.now();
  server = await startServerProcess({ dir, port: await freePort(), env, readyTimeoutMs: 900_000 });
  console.log(`warm restart (model from the cache): ${Math.round(performance.now() - started)} ms; RSS ${mb(server.rss())}`);

  const entry = { id: 'bench-published-entry', title: { zh: '養犬登記' }, questions: { zh: ['養犬登記怎麼辦理', '狗證在哪裡辦'] }, answer: { zh: '攜犬隻免疫證明到區公所辦理。' } };
  writeFileSync(join(knowledge, 'bench-published.yaml'), stringify({ department: kb.departments[0]!.id, entries: [entry] }));
  started = performance.now();
  const signalled = new Promise<void>((resolve) => {
    const poll = async (): Promise<void> => ((await ask(server, '狗證在哪裡辦')) === entry.id ? resolve() : void setTimeout(() => void poll(), 20));
    void poll();
  });
  server.child.kill('SIGHUP');
  await signalled;
  console.log(`one entry published, SIGHUP to answered: ${Math.round(performance.now() - started)} ms; RSS ${mb(server.rss())}, peak ${mb(peakResidentBytes(server.child.pid))}`);
  await server.stop();
  console.log(`(RSS of the whole process, engine threads included; ${mb(residentBytes(process.pid))} for this bench process)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
