/**
 * Accuracy / out-of-scope regression gate: the visible public sets run through the same adapters, folds
 * and scoring as `npm run eval` (in this process, so without the memory figure), and must keep the figures
 * of REGRESSION_GATE in src/eval/floors.ts.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvaluation } from '../src/eval/eval-runner.ts';
import { labelledSets } from '../src/eval/eval-suite.ts';
import { REGRESSION_GATE, REGRESSION_GATE_V2, type GateFigure, type RowKind } from '../src/eval/floors.ts';
import type { EngineVersion } from '../src/nlu/bot-model.ts';
import { measureSet } from '../src/eval/set-measure.ts';

const DATASETS = '../shared/datasets';
const floors: Readonly<Record<string, Partial<Record<RowKind, Partial<Record<GateFigure, number>>>>>> = REGRESSION_GATE.floors;
const gated: readonly string[] = REGRESSION_GATE.sets;

describe('regression gate configuration', () => {
  it('names only sets the suite knows, each with floors', () => {
    const known = labelledSets(DATASETS).map((s) => s.name);
    for (const name of [...gated, ...REGRESSION_GATE.slow]) expect(known, `REGRESSION_GATE names an unknown set "${name}"`).toContain(name);
    for (const name of gated) expect(Object.keys(floors[name] ?? {}).length, `REGRESSION_GATE.sets has "${name}" without floors`).toBeGreaterThan(0);
  });
});

describe('huiying eval --json', () => {
  it('reads the JSON knowledge format and reports the old fields plus accuracy with rejection off and peak memory', { timeout: 120_000 }, async () => {
    const training = new Map([
      ['passport', ['how do I apply for a passport', 'passport application documents', 'renew my passport']],
      ['parking', ['where can I park my car', 'parking permit for residents', 'street parking rules']],
      ['library', ['library opening hours', 'how to get a library card', 'borrow books from the library']],
    ]);
    const cases = [
      { text: 'documents for a passport application', expect: 'passport' },
      { text: 'a residents parking permit', expect: 'parking' },
      { text: 'when does the library open', expect: null },
    ];
    const m = await runEvaluation({ training }, cases);
    for (const field of ['accuracy', 'oosRecall', 'oosPrecision', 'oosF1', 'clarifyRate', 'p50Ms', 'p99Ms', 'trainMs', 'accuracyNoReject']) {
      expect(m, field).toHaveProperty(field, expect.any(Number));
    }
    expect(m).toMatchObject({ cases: 3, answerable: 2, unanswerable: 1 });
    expect(m.accuracyNoReject).toBeGreaterThanOrEqual(m.accuracy);
    expect(m.peakRssMb).toBeGreaterThan(50);
  });

  it('names an unknown --leave-out entry instead of training', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huiying-eval-test-'));
    try {
      const kb = join(dir, 'kb.json');
      writeFileSync(kb, JSON.stringify({ entries: [{ id: 'a', questions: ['hello there'], answer: 'hi' }] }));
      await expect(runEvaluation({ kb, leaveOut: ['nope'] }, [{ text: 'hello', expect: 'a' }])).rejects.toThrow(
        /entry "nope".*--leave-out names an entry the knowledge base does not have/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Under CI the datasets must be there: a gate that skipped would have gated nothing.
describe.skipIf(!existsSync(DATASETS) && process.env.CI !== 'true')('accuracy / out-of-scope regression gate', () => {
  gate('v1', floors);
});

describe.skipIf(!existsSync(DATASETS) && process.env.CI !== 'true')('engine v2 accuracy / out-of-scope regression gate', () => {
  gate('v2', REGRESSION_GATE_V2);
});

/** One test per gated set: measured as `npm run eval` does (in this process), each figure at least its floor. */
function gate(engine: EngineVersion, gateFloors: typeof floors): void {
  for (const entry of labelledSets(DATASETS).filter((s) => gated.includes(s.name))) {
    it(`${entry.name} keeps its figures`, { timeout: 180_000 }, async () => {
      const wanted = gateFloors[entry.name]!;
      const kinds = Object.keys(wanted) as RowKind[];
      const rows = await measureSet(entry.load(), { inProcess: true, kinds, engine });
      expect(rows.map((r) => r.kind).sort()).toEqual([...kinds].sort());
      const misses: string[] = [];
      for (const row of rows) {
        for (const [figure, min] of Object.entries(wanted[row.kind] ?? {}) as Array<[GateFigure, number]>) {
          const got = row.metrics[figure];
          if (!(got >= min)) misses.push(`${entry.name}, ${row.kind} (${row.protocol}): ${figure} ${got} is below the gate's ${min}`);
        }
      }
      expect(misses, misses.join('\n')).toEqual([]);
    });
  }
}
