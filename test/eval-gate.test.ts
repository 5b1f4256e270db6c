/**
 * Accuracy / out-of-scope regression gate: the visible public sets run through the same adapters, folds
 * and scoring as `npm run eval` (in this process, so without the memory figure), and must keep the figures
 * of REGRESSION_GATE in src/eval/floors.ts.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labelledSets } from '../src/eval/eval-suite.ts';
import { REGRESSION_GATE, type GateFigure, type RowKind } from '../src/eval/floors.ts';
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

describe.skipIf(!existsSync(DATASETS))('accuracy / out-of-scope regression gate', () => {
  for (const entry of labelledSets(DATASETS).filter((s) => gated.includes(s.name))) {
    it(`${entry.name} keeps its figures`, { timeout: 180_000 }, async () => {
      const wanted = floors[entry.name]!;
      const kinds = Object.keys(wanted) as RowKind[];
      const rows = await measureSet(entry.load(), { inProcess: true, kinds });
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
});
