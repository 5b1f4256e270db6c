/** Runs one evaluation through `huiying eval`'s files: in its own process, so its peak memory is its own, or in this one. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvalCase } from './eval-cases.ts';
import { evaluateFiles } from './evaluate-files.ts';
import type { EngineChoice } from './evaluate.ts';
import type { EvalMetrics } from './metrics.ts';

/** What `huiying eval --json` reports: the scores plus the process's peak resident memory (null when run in this process). */
export interface RunMetrics extends EvalMetrics {
  peakRssMb: number | null;
}

/** What to train on: questions per intent (written as the JSON knowledge format), or a knowledge folder or JSON file less some entries. */
export type RunKnowledge = { training: ReadonlyMap<string, readonly string[]> } | { kb: string; leaveOut: readonly string[] };

const CLI = fileURLToPath(new URL('../../bin/huiying.js', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Room for the JSON line of a large run (the engine may add detail to it). */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Writes the files `huiying eval` accepts, then trains and scores them in a child `huiying eval --json`
 * (throws with its error output), or with `inProcess` through the same code in this process, without a memory figure.
 */
export async function runEvaluation(
  knowledge: RunKnowledge,
  cases: readonly EvalCase[],
  options: { inProcess?: boolean } & EngineChoice = {},
): Promise<RunMetrics> {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-eval-'));
  try {
    const casesFile = join(dir, 'cases.jsonl');
    writeFileSync(casesFile, cases.map((c) => JSON.stringify({ text: c.text, expect: c.expect })).join('\n') + '\n');
    let kb: string;
    let leaveOut: readonly string[] = [];
    if ('training' in knowledge) {
      kb = join(dir, 'kb.json');
      // The intent name stands in for the answer, as a classification set has none.
      const entries = [...knowledge.training].map(([id, questions]) => ({ id, questions, answer: id }));
      writeFileSync(kb, JSON.stringify({ entries }));
    } else {
      kb = knowledge.kb;
      leaveOut = knowledge.leaveOut;
    }
    if (options.inProcess) {
      const scores = (await evaluateFiles({ kb, cases: casesFile, leaveOut, engine: options.engine, decisionWithout: options.decisionWithout })) as unknown as Record<string, unknown>;
      return pickMetrics({ ...scores, peakRssMb: null });
    }
    const args = [CLI, 'eval', '--kb', kb, '--cases', casesFile, '--json'];
    if (leaveOut.length > 0) args.push('--leave-out', leaveOut.join(','));
    if (options.engine) args.push('--engine', options.engine);
    if (options.decisionWithout) args.push('--decision-without', options.decisionWithout);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, args, { cwd: REPO, maxBuffer: MAX_OUTPUT }, (err, out, errOut) => {
        if (err) reject(new Error(`huiying eval failed (${err.message.split('\n')[0]}): ${errOut.trim().split('\n').slice(-5).join(' | ')}`));
        else resolve(out);
      });
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(last) as Record<string, unknown>;
    } catch {
      throw new Error(`huiying eval --json printed no JSON line: ${last.slice(0, 200)}`);
    }
    return pickMetrics(raw);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FIELDS = [
  'cases', 'answerable', 'unanswerable', 'accuracy', 'accuracyNoReject', 'oosRecall', 'oosPrecision', 'oosF1',
  'clarifyRate', 'p50Ms', 'p99Ms', 'trainMs', 'peakRssMb',
] as const;

/** The report's fields only (the engine may add detail of its own); a missing one is an error. */
function pickMetrics(raw: Record<string, unknown>): RunMetrics {
  const missing = FIELDS.filter((f) => typeof raw[f] !== 'number' && !(f === 'peakRssMb' && raw[f] === null));
  if (missing.length > 0) throw new Error(`huiying eval --json lacks ${missing.join(', ')}`);
  return Object.fromEntries(FIELDS.map((f) => [f, raw[f]])) as unknown as RunMetrics;
}
