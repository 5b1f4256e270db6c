/** `npm run eval`: every labelled set under one protocol, one Markdown table with the floors met or missed. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineVersion } from '../nlu/bot-model.ts';
import { FLOORS } from './floors.ts';
import { projectTestSet } from './project-test-set.ts';
import { banking77, braun2017, FOLD_COUNT, FOLD_SEED, smp2019, xsidZh, type LabelledSet } from './public-datasets.ts';
import { measureSet, type SetRow } from './set-measure.ts';

export interface SuiteOptions {
  datasets: string;
  /** Only the sets whose name contains one of these (case and spaces ignored). */
  only?: readonly string[];
  /** Also print each fold's row. */
  verbose?: boolean;
  /** Also run plain node-nlp with its defaults on the same runs. */
  baseline?: boolean;
  /** The engine measured (v1 by default). */
  engine?: EngineVersion;
}

/** Every labelled set, by name, with the dataset folder it needs (null: shipped in the repository). */
export function labelledSets(datasetsDir: string): Array<{ name: string; folder: string | null; load: () => LabelledSet }> {
  return [
    { name: 'Huiying test set', folder: null, load: () => projectTestSet() },
    ...(['Chatbot', 'AskUbuntu', 'WebApplications'] as const).map((c) => ({
      name: `braun2017 ${c}`,
      folder: 'braun2017',
      load: () => braun2017(datasetsDir, c),
    })),
    { name: 'xSID zh', folder: 'xsid-zh', load: () => xsidZh(datasetsDir) },
    { name: 'SMP2019', folder: 'smp2019', load: () => smp2019(datasetsDir) },
    { name: 'Banking77', folder: 'banking77', load: () => banking77(datasetsDir) },
  ];
}

const squash = (s: string): string => s.toLowerCase().replace(/[\s_-]/g, '');

const HEADER = [
  'dataset', 'row', 'method', 'intents', 'cases (answerable/unanswerable)', 'accuracy', 'accuracy, rejection off',
  'oosRecall', 'oosPrecision', 'oosF1', 'clarifyRate', 'train ms', 'peak RSS MB', 'p50 ms', 'p99 ms', 'floor',
];

/** One Markdown table line of a row. */
export function tableLine(r: SetRow, label = r.protocol): string {
  const m = r.metrics;
  const rate = (v: number): string => v.toFixed(3);
  const oos = (v: number): string => (m.unanswerable > 0 ? rate(v) : '–');
  const cells = [
    r.dataset, label, r.method, r.intents, `${m.answerable}/${m.unanswerable}`, rate(m.accuracy), rate(m.accuracyNoReject),
    oos(m.oosRecall), oos(m.oosPrecision), oos(m.oosF1), rate(m.clarifyRate), m.trainMs, m.peakRssMb ?? '–',
    m.p50Ms.toFixed(2), m.p99Ms.toFixed(2), r.floor,
  ];
  return `| ${cells.join(' | ')} |`;
}

export async function runEvalSuite(options: SuiteOptions): Promise<void> {
  const only = (options.only ?? []).map(squash).filter(Boolean);
  const chosen = labelledSets(options.datasets).filter((s) => only.length === 0 || only.some((o) => squash(s.name).includes(o)));
  if (chosen.length === 0) {
    console.error(`--only ${options.only?.join(',')}: no such set (${labelledSets(options.datasets).map((s) => s.name).join(', ')})`);
    process.exitCode = 1;
    return;
  }
  console.log(`Out-of-scope: whole intents left out of training (${FOLD_COUNT} fixed folds, seed ${FOLD_SEED}; Banking77 the Banking77-OOS split), their test questions unanswerable.`);
  console.log(`Floors on sets with at least ${FLOORS.minIntents} intents: oosRecall ≥ ${FLOORS.oosRecall} with accuracy at most ${FLOORS.maxAccuracyLossToRejection} below rejection off; Banking77 accuracy ≥ ${FLOORS.allKnownAccuracy.Banking77} with all intents known.`);
  console.log(`Engine ${options.engine ?? 'v1'}.`);
  console.log('Peak RSS is that of the whole `huiying eval` process, start-up included.\n');
  console.log(`| ${HEADER.join(' | ')} |`);
  console.log(`|${HEADER.map(() => '---').join('|')}|`);
  for (const entry of chosen) {
    if (entry.folder && !existsSync(join(options.datasets, entry.folder))) {
      console.error(`${join(options.datasets, entry.folder)} not found: ${entry.name} skipped`);
      continue;
    }
    const rows = await measureSet(entry.load(), { baseline: options.baseline, engine: options.engine, onRun: (what) => console.error(`running ${what}`) });
    for (const r of rows) {
      console.log(tableLine(r));
      if (options.verbose && r.folds.length > 1) r.folds.forEach((f, i) => console.log(tableLine({ ...r, metrics: f, floor: '' }, `fold ${i + 1}`)));
    }
  }
}
