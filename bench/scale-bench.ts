/**
 * The scale case of `npm run bench -- --scale` (also `npm run bench:scale`): knowledge bases built from the
 * Taipei City FAQ (bench/support/taipei-scale.ts), 1,000 entries x 20 questions and 10,000 x 12, each in
 * its own process so its peak memory is its own. Reports build ms, peak RSS, p50/p99 per message over the
 * held-out questions, answers/s on one core (over that first pass, and over a second pass of the same questions in
 * new conversations: a warm process), and how long one live edit takes to take effect.
 *
 *   --entries N --questions Q   one custom size instead of the two standard ones (e.g. a quick 100 x 5)
 *   --cases N                   held-out questions per size (default 2,000)
 *   --faq FILE                  the Taipei FAQ JSON (default ../shared/datasets/taipei-faq/faq.json)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Engine } from '../src/core/engine.ts';
import type { KnowledgeBase } from '../src/knowledge/types.ts';
import { loadOrTrainModel, type EngineVersion } from '../src/nlu/bot-model.ts';
import { taipeiScaleBase, TAIPEI_FAQ } from './support/taipei-scale.ts';

const STANDARD_SIZES: Array<[entries: number, questions: number]> = [
  [1000, 20],
  [10000, 12],
];

interface ScaleResult {
  entries: number;
  questionsPerEntry: number;
  generateMs: number;
  buildMs: number;
  peakRssMb: number;
  cases: number;
  p50Ms: number;
  p99Ms: number;
  answersPerSecond: number;
  /** The same over a second pass of the questions (new conversations): a warm process. */
  warmAnswersPerSecond: number;
  /** Answerable held-out questions answered with their entry, and unanswerable ones not answered. */
  answeredRight: number;
  refusedRight: number;
  /** Answerable questions asked back (numbered choices) with their entry among the choices. */
  askedBackRight: number;
  /** Answerable questions whose best candidate is their entry, whatever the decision (rejection off). */
  topRight: number;
  liveEditMs: number | null;
}

/**
 * Engine v2: how long one live edit (a question added to an entry) takes until an engine answers with it: the
 * model for the edited knowledge base loaded from the cache folder the first build wrote (the last full build
 * plus an overlay of the changed entry) and a new engine on it. Null for v1, which retrains.
 */
export async function measureLiveEdit(kb: KnowledgeBase, engineVersion: EngineVersion, cacheDir: string): Promise<number | null> {
  if (engineVersion !== 'v2') return null;
  const target = kb.entries[Math.floor(kb.entries.length / 2)]!;
  const question = `${Object.values(target.title)[0] ?? target.id} 线上申办入口在哪里`;
  const entries = kb.entries.map((e) => (e === target ? { ...e, questions: { ...e.questions, zh: [...(e.questions.zh ?? []), question] } } : e));
  const edited: KnowledgeBase = { ...kb, entries, hash: `${kb.hash}-edited` };
  const started = performance.now();
  const model = await loadOrTrainModel(edited, null, { engine: 'v2', cacheDir });
  const engine = new Engine(model, [], { analysisCacheSize: 0 });
  const ms = Math.round(performance.now() - started);
  const turn = await engine.respond({ channel: 'bench', conversationId: 'edit', senderId: 's', text: question, time: new Date() }, { misses: 0 });
  if (turn.result.candidates[0]?.entryId !== target.id) console.error(`live edit: the edited question's best candidate is ${turn.result.candidates[0]?.entryId}, not ${target.id}`);
  return ms;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** One size, measured in this process (the child). */
async function measureSize(entries: number, questions: number, caseCount: number, faqPath: string, engineVersion: EngineVersion): Promise<ScaleResult> {
  const generated = performance.now();
  const { kb, cases } = taipeiScaleBase(entries, questions, { faqPath, caseCount });
  const generateMs = Math.round(performance.now() - generated);

  const started = performance.now();
  // v2 writes its cache (the base of live edits) as the server does; v1 trains without one, as before.
  const cacheDir = mkdtempSync(join(tmpdir(), 'huiying-scale-'));
  const model = await loadOrTrainModel(kb, null, engineVersion === 'v2' ? { engine: 'v2', cacheDir } : {});
  const buildMs = Math.round(performance.now() - started);

  const engine = new Engine(model, [], { analysisCacheSize: 0 });
  const times: number[] = [];
  let answeredRight = 0;
  let refusedRight = 0;
  let askedBackRight = 0;
  let topRight = 0;
  const run = performance.now();
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const t = performance.now();
    const turn = await engine.respond({ channel: 'bench', conversationId: `s${i}`, senderId: 's', text: c.text, time: new Date() }, { misses: 0 });
    times.push(performance.now() - t);
    const answered = turn.result.outcome === 'answered' ? turn.result.replies.find((r) => r.entryId)?.entryId : undefined;
    if (c.expect !== null && answered === c.expect) answeredRight++;
    if (c.expect === null && answered === undefined) refusedRight++;
    if (c.expect !== null && turn.result.outcome === 'clarify' && turn.result.candidates.some((x) => x.entryId === c.expect)) askedBackRight++;
    if (c.expect !== null && turn.result.candidates[0]?.entryId === c.expect) topRight++;
  }
  const total = performance.now() - run;
  times.sort((a, b) => a - b);
  // The same questions again, in new conversations: the rate of a warm process (compiled code, settled heap).
  const warm = performance.now();
  for (let i = 0; i < cases.length; i++) {
    await engine.respond({ channel: 'bench', conversationId: `w${i}`, senderId: 's', text: cases[i]!.text, time: new Date() }, { misses: 0 });
  }
  const warmTotal = performance.now() - warm;
  const liveEditMs = await measureLiveEdit(kb, engineVersion, cacheDir);
  rmSync(cacheDir, { recursive: true, force: true });
  return {
    entries: kb.entries.length,
    questionsPerEntry: questions,
    generateMs,
    buildMs,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    cases: cases.length,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    answersPerSecond: Math.round((cases.length / total) * 1000),
    warmAnswersPerSecond: Math.round((cases.length / warmTotal) * 1000),
    answeredRight,
    refusedRight,
    askedBackRight,
    topRight,
    liveEditMs,
  };
}

/** Runs one size in a child process and reads its result (the child's last stdout line, JSON). */
function inChild(entries: number, questions: number, caseCount: number, faqPath: string, engineVersion: EngineVersion): Promise<ScaleResult> {
  const script = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', script, '--child', '--entries', String(entries), '--questions', String(questions), '--cases', String(caseCount), '--faq', faqPath, '--engine', engineVersion];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`the ${entries} x ${questions} run failed (exit ${code})`));
      else resolve(JSON.parse(last) as ScaleResult);
    });
  });
}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function count(args: readonly string[], name: string, fallback?: number): number | undefined {
  const value = option(args, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a whole number above 0, not "${value}"`);
  return n;
}

function row(r: ScaleResult): string {
  const answerable = Math.round((r.cases * 3) / 4);
  const pct = (n: number, of: number): string => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
  return `| ${r.entries.toLocaleString('en')} × ${r.questionsPerEntry} | ${r.buildMs} | ${r.peakRssMb} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.answersPerSecond} / ${r.warmAnswersPerSecond} | ${r.liveEditMs === null ? 'n/a' : r.liveEditMs} | ${pct(r.answeredRight, answerable)} / ${pct(r.askedBackRight, answerable)} / ${pct(r.refusedRight, r.cases - answerable)} | ${pct(r.topRight, answerable)} |`;
}

/** The engine measured: `--engine v1|v2`, else ENGINE, else v1. */
function engineOption(args: readonly string[]): EngineVersion {
  const value = option(args, '--engine') ?? process.env.ENGINE ?? 'v1';
  if (value !== 'v1' && value !== 'v2') throw new Error(`--engine is v1 or v2, not "${value}"`);
  return value;
}

/** `npm run bench -- --scale [--entries N --questions Q] [--cases N] [--faq FILE] [--engine v1|v2]`. */
export async function runScaleBench(args: readonly string[]): Promise<void> {
  const entries = count(args, '--entries');
  const questions = count(args, '--questions');
  const caseCount = count(args, '--cases', 2000)!;
  const faqPath = option(args, '--faq') ?? TAIPEI_FAQ;
  if ((entries === undefined) !== (questions === undefined)) throw new Error('give --entries and --questions together');
  const sizes = entries !== undefined && questions !== undefined ? [[entries, questions] as [number, number]] : STANDARD_SIZES;
  const engineVersion = engineOption(args);
  console.log(`Taipei FAQ at scale, engine ${engineVersion}: ${caseCount} held-out questions per size (3/4 answerable), one process per size, analysis cache off`);
  console.log('| entries × questions | build ms | peak RSS MB | p50 ms | p99 ms | answers/s (one core: first pass / warm) | live edit ms | answered right / asked back right / refused right | top candidate right |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  let pending = false;
  for (const [n, q] of sizes) {
    const result = await inChild(n, q, caseCount, faqPath, engineVersion);
    console.log(row(result));
    pending ||= result.liveEditMs === null;
  }
  if (pending) console.log('live edit: n/a (engine v1 retrains; run with --engine v2)');
}

const args = process.argv.slice(2);
if (args.includes('--child')) {
  const result = await measureSize(count(args, '--entries')!, count(args, '--questions')!, count(args, '--cases', 2000)!, option(args, '--faq') ?? TAIPEI_FAQ, engineOption(args));
  console.log(JSON.stringify(result));
} else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScaleBench(args);
}
