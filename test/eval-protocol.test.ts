/** The evaluation protocol without training an engine: dataset adapters, intent folds, the floors' verdicts. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunMetrics } from '../src/eval/eval-runner.ts';
import { FLOORS, floorVerdict } from '../src/eval/floors.ts';
import { intentFolds, leaveIntentsOut } from '../src/eval/folds.ts';
import { projectTestSet } from '../src/eval/project-test-set.ts';
import {
  BANKING77_OOS_INTENTS,
  banking77,
  braun2017,
  FOLD_COUNT,
  smp2019,
  xsidZh,
  type LabelledSet,
} from '../src/eval/public-datasets.ts';
import { combineFolds } from '../src/eval/set-measure.ts';

const DATASETS = '../shared/datasets';
// Under CI the datasets must be there: tests that skipped would have checked nothing.
const withDatasets = existsSync(DATASETS) || process.env.CI === 'true' ? describe : describe.skip;

/** Each fold of a set: disjoint, together every training intent, no left-out intent trained, its test questions unanswerable. */
function expectHonestFolds(set: LabelledSet): void {
  const all = [...set.training.keys()].sort();
  const seen = set.oosFolds.flat();
  expect(new Set(seen).size, `${set.name}: folds overlap`).toBe(seen.length);
  if (set.oosFolds.length > 1) expect([...seen].sort(), `${set.name}: folds do not cover the intents`).toEqual(all);
  for (const leftOut of set.oosFolds) {
    const run = leaveIntentsOut(set.training, set.cases, leftOut);
    for (const id of leftOut) expect(run.training.has(id), `${set.name}: ${id} left out but trained`).toBe(false);
    expect(run.training.size).toBe(all.length - leftOut.length);
    expect(run.cases.some((c) => c.expect !== null && leftOut.includes(c.expect)), `${set.name}: a left-out intent is still answerable`).toBe(false);
    expect(run.cases).toHaveLength(set.cases.length);
    expect(run.cases.filter((c) => c.expect === null).length).toBeGreaterThan(set.cases.filter((c) => c.expect === null).length);
  }
}

describe('intent folds', () => {
  const intents = Array.from({ length: 39 }, (_, i) => `intent-${i}`);

  it('partitions the intents into near-equal disjoint folds that cover them all', () => {
    const folds = intentFolds(intents, 4, 15);
    expect(folds).toHaveLength(4);
    expect(folds.flat().sort()).toEqual([...intents].sort());
    expect(new Set(folds.flat()).size).toBe(39);
    expect(folds.map((f) => f.length).sort((a, b) => a - b)).toEqual([9, 10, 10, 10]);
  });

  it('gives the same folds for the same seed, whatever order the intents come in, and others for another seed', () => {
    expect(intentFolds([...intents].reverse(), 4, 15)).toEqual(intentFolds(intents, 4, 15));
    expect(intentFolds(intents, 4, 16)).not.toEqual(intentFolds(intents, 4, 15));
  });

  it('leaves the intents of a fold out of training and makes their test questions unanswerable, nothing else', () => {
    const training = new Map([['a', ['qa']], ['b', ['qb']], ['c', ['qc']]]);
    const cases = [{ text: 'ta', expect: 'a' }, { text: 'tb', expect: 'b' }, { text: 'none', expect: null }];
    const run = leaveIntentsOut(training, cases, ['b']);
    expect([...run.training.keys()]).toEqual(['a', 'c']);
    expect(run.cases).toEqual([{ text: 'ta', expect: 'a' }, { text: 'tb', expect: null }, { text: 'none', expect: null }]);
    expect(training.get('b')).toEqual(['qb']);
  });
});

describe('floors', () => {
  const metrics = (over: Partial<RunMetrics>): RunMetrics => ({
    cases: 100, answerable: 80, unanswerable: 20, accuracy: 0.9, accuracyNoReject: 0.91, oosRecall: 0.7, oosPrecision: 0.8,
    oosF1: 0.75, clarifyRate: 0, p50Ms: 1, p99Ms: 2, trainMs: 10, peakRssMb: 300, ...over,
  });

  it('names the floor a leave-intents-out row misses and by how much', () => {
    expect(floorVerdict({ name: 'SMP2019', intents: 39 }, 'intents-left-out', metrics({}))).toBe('met');
    expect(floorVerdict({ name: 'SMP2019', intents: 39 }, 'intents-left-out', metrics({ oosRecall: 0.45 }))).toBe(
      'missed: oosRecall 0.450 < 0.600 (by 0.150)',
    );
    expect(floorVerdict({ name: 'SMP2019', intents: 39 }, 'intents-left-out', metrics({ accuracy: 0.85 }))).toBe(
      'missed: accuracy 0.060 below rejection off (allowed 0.030, over by 0.030)',
    );
  });

  it('holds Banking77 to its accuracy with all intents known, and small sets to nothing', () => {
    expect(floorVerdict({ name: 'Banking77', intents: 77 }, 'all-known', metrics({ accuracy: 0.87 }))).toBe('missed: accuracy 0.870 < 0.880 (by 0.010)');
    expect(floorVerdict({ name: 'Banking77', intents: 77 }, 'all-known', metrics({ accuracy: 0.89 }))).toBe('met');
    expect(floorVerdict({ name: 'xSID zh', intents: 15 }, 'intents-left-out', metrics({ oosRecall: 0 }))).toBe(`no floor (<${FLOORS.minIntents} intents)`);
  });

  it('sums the counts of folds and averages their figures, keeping the highest peak memory', () => {
    const m = combineFolds([metrics({ accuracy: 0.8, peakRssMb: 300 }), metrics({ accuracy: 0.9, peakRssMb: 500 })]);
    expect(m).toMatchObject({ cases: 200, answerable: 160, unanswerable: 40, accuracy: 0.85, peakRssMb: 500 });
  });
});

describe('the project test set', () => {
  it('trains on the knowledge folder, with folds over its entries', () => {
    const set = projectTestSet();
    expect(set.folder).toBe('knowledge');
    expect(set.training.size).toBeGreaterThanOrEqual(FLOORS.minIntents);
    expect(set.oosFolds).toHaveLength(FOLD_COUNT);
    expectHonestFolds(set);
  });
});

withDatasets('public dataset adapters', () => {
  it('braun2017: the official split, None and unknown intents unanswerable; folds only where there are intents to leave out', () => {
    const chatbot = braun2017(DATASETS, 'Chatbot');
    expect([...chatbot.training.keys()].sort()).toEqual(['DepartureTime', 'FindConnection']);
    expect(chatbot.cases).toHaveLength(106);
    expect(chatbot.oosFolds).toEqual([]);
    const ask = braun2017(DATASETS, 'AskUbuntu');
    expect(ask.training.has('None')).toBe(false);
    expect(ask.cases.filter((c) => c.expect === null)).toHaveLength(5);
    expectHonestFolds(ask);
    expectHonestFolds(braun2017(DATASETS, 'WebApplications'));
  });

  it('SMP2019: a fixed-seed split that never puts a test question in training, and four folds of its 39 classes', () => {
    const set = smp2019(DATASETS);
    expect(set.training.size).toBe(39);
    const trained = new Set([...set.training.values()].flat());
    expect(set.cases.filter((c) => trained.has(c.text)).length).toBeLessThan(set.cases.length * 0.05);
    expect(smp2019(DATASETS).cases).toEqual(set.cases);
    expect(set.oosFolds.map((f) => f.length)).toEqual([10, 10, 10, 9]);
    expectHonestFolds(set);
  });

  it('Banking77: the official split with all 77 intents, and the Banking77-OOS fold of 27', () => {
    const set = banking77(DATASETS);
    expect(set.training.size).toBe(77);
    expect([...set.training.values()].flat()).toHaveLength(10003);
    expect(set.cases).toHaveLength(3080);
    expect(set.cases.every((c) => c.expect !== null)).toBe(true);
    expect(set.oosFolds).toEqual([[...BANKING77_OOS_INTENTS]]);
    expect(new Set(BANKING77_OOS_INTENTS).size).toBe(27);
    const oos = leaveIntentsOut(set.training, set.cases, BANKING77_OOS_INTENTS);
    expect(oos.training.size).toBe(50);
    expect(oos.cases.filter((c) => c.expect === null)).toHaveLength(27 * 40);
    expectHonestFolds(set);
  });

  it('Banking77: quoted CSV fields keep their commas and quotes', () => {
    const texts = banking77(DATASETS).cases.map((c) => c.text);
    expect(texts.some((t) => t.includes(','))).toBe(true);
    expect(texts.every((t) => !/^".*"$/.test(t))).toBe(true);
  });

  it('xSID zh: the official zh valid set trains and the test set tests; a test-only intent is unanswerable', () => {
    const set = xsidZh(DATASETS);
    expect([...set.training.values()].flat()).toHaveLength(300);
    expect(set.cases).toHaveLength(500);
    expect(set.training.has('alarm/time_left_on_alarm')).toBe(false);
    expect(set.cases.filter((c) => c.expect === null)).toHaveLength(4);
    expectHonestFolds(set);
  });
});
