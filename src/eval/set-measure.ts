/** Measures one labelled set under the protocol: its split with every intent known, then its leave-intents-out folds. */
import { resolve } from 'node:path';
import type { EngineVersion } from '../nlu/bot-model.ts';
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/types.ts';
import type { EvalCase } from './eval-cases.ts';
import { runEvaluation, type RunKnowledge, type RunMetrics } from './eval-runner.ts';
import { floorVerdict, type RowKind } from './floors.ts';
import { knowledgeWithout, leaveIntentsOut } from './folds.ts';
import { evaluateNodeNlp } from './nodenlp-baseline.ts';
import type { LabelledSet } from './public-datasets.ts';

export interface SetRow {
  dataset: string;
  kind: RowKind;
  /** The split or fold protocol of the row, in words. */
  protocol: string;
  method: 'Huiying' | 'node-nlp defaults';
  /** Intents the set trains with all of them known. */
  intents: number;
  /** For a fold row: counts summed over the folds, every other figure their mean (peak memory their maximum). */
  metrics: RunMetrics;
  /** Each fold's own figures (empty on an all-known row). */
  folds: RunMetrics[];
  floor: string;
}

export interface MeasureOptions {
  /** Run in this process (faster, no memory figure) instead of one `huiying eval` process a run. */
  inProcess?: boolean;
  /** The engine measured (v1 by default). */
  engine?: EngineVersion;
  /** Also run plain node-nlp on the same runs. */
  baseline?: boolean;
  /** Only these rows (default both). */
  kinds?: readonly RowKind[];
  /** Told before each run starts. */
  onRun?: (what: string) => void;
}

export async function measureSet(set: LabelledSet, options: MeasureOptions = {}): Promise<SetRow[]> {
  const kinds = options.kinds ?? ['all-known', 'intents-left-out'];
  const intents = set.training.size;
  const runs: Array<{ kind: RowKind; protocol: string; leftOut: string[][] }> = [];
  if (kinds.includes('all-known')) runs.push({ kind: 'all-known', protocol: set.split, leftOut: [[]] });
  if (kinds.includes('intents-left-out') && set.oosFolds.length > 0) {
    runs.push({ kind: 'intents-left-out', protocol: `${set.oosProtocol}${set.oosFolds.length > 1 ? ' (mean)' : ''}`, leftOut: set.oosFolds });
  }
  const rows: SetRow[] = [];
  for (const run of runs) {
    const folds: RunMetrics[] = [];
    const baseline: RunMetrics[] = [];
    for (const [i, leftOut] of run.leftOut.entries()) {
      const fold = leaveIntentsOut(set.training, set.cases, leftOut);
      options.onRun?.(`${set.name}: ${run.kind}${run.leftOut.length > 1 ? ` fold ${i + 1}/${run.leftOut.length}` : ''}`);
      const knowledge: RunKnowledge = set.folder ? { kb: resolve(set.folder), leaveOut: leftOut } : { training: fold.training };
      // Engine v2 on a set its shipped decision learned from is measured with the decision learned without it.
      const decisionWithout = options.engine === 'v2' ? set.name : undefined;
      folds.push(await runEvaluation(knowledge, fold.cases, { inProcess: options.inProcess, engine: options.engine, decisionWithout }));
      if (options.baseline) baseline.push(await nodeNlpRun(set, leftOut, fold.training, fold.cases));
    }
    const metrics = combineFolds(folds);
    const perFold = run.kind === 'all-known' ? [] : folds;
    rows.push({ dataset: set.name, kind: run.kind, protocol: run.protocol, method: 'Huiying', intents, metrics, folds: perFold, floor: floorVerdict({ name: set.name, intents }, run.kind, metrics) });
    if (options.baseline) {
      const m = combineFolds(baseline);
      rows.push({ dataset: set.name, kind: run.kind, protocol: run.protocol, method: 'node-nlp defaults', intents, metrics: m, folds: run.kind === 'all-known' ? [] : baseline, floor: '–' });
    }
  }
  return rows;
}

async function nodeNlpRun(set: LabelledSet, leftOut: readonly string[], training: Map<string, string[]>, cases: EvalCase[]): Promise<RunMetrics> {
  const kb = set.folder ? knowledgeWithout(loadKnowledgeBase(set.folder), leftOut, set.folder) : knowledgeFrom(training, set.lang);
  return { ...(await evaluateNodeNlp(kb, cases)), peakRssMb: null };
}

function knowledgeFrom(training: ReadonlyMap<string, readonly string[]>, lang: 'zh' | 'en'): KnowledgeBase {
  const entries: KnowledgeEntry[] = [...training].map(([id, questions]) => ({
    id,
    department: 'general',
    title: { [lang]: id },
    questions: { [lang]: [...questions] },
    answer: { [lang]: id },
    keywords: [],
    synonyms: {},
    file: 'dataset',
  }));
  return { entries, departments: [{ id: 'general', name: { zh: 'general', en: 'general' } }], hash: '' };
}

const COUNTS = ['cases', 'answerable', 'unanswerable'] as const;
const MEANS = ['accuracy', 'accuracyNoReject', 'oosRecall', 'oosPrecision', 'oosF1', 'clarifyRate', 'p50Ms', 'p99Ms', 'trainMs'] as const;

/** One fold as it is; several: counts summed, rates and times averaged, peak memory the highest. */
export function combineFolds(folds: readonly RunMetrics[]): RunMetrics {
  if (folds.length === 1) return folds[0]!;
  if (folds.length === 0) throw new Error('no fold to combine');
  const combined = {} as Record<string, number | null>;
  for (const k of COUNTS) combined[k] = folds.reduce((s, f) => s + f[k], 0);
  for (const k of MEANS) combined[k] = round(folds.reduce((s, f) => s + f[k], 0) / folds.length, k === 'trainMs' ? 0 : 4);
  const peaks = folds.map((f) => f.peakRssMb);
  combined.peakRssMb = peaks.every((p) => p !== null) ? Math.max(...(peaks as number[])) : null;
  return combined as unknown as RunMetrics;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
