import { describe, expect, it } from 'vitest';
import { chooseThreshold, figuresAt, leaveOneSetOut, type DecisionRow } from '../src/eval/decision-training.ts';
import { FEATURE_NAMES } from '../src/nlu/candidate-features.ts';

/** A row whose only informative feature is the top score. */
function row(set: string, score: number, answerable: boolean, right: boolean): DecisionRow {
  const features = FEATURE_NAMES.map((name) => (name === 'score' ? score : 0));
  return { set, features, answerable, right };
}

describe('decision training', () => {
  it('scores a threshold as accuracy (answered right), the same without rejection, and out-of-scope recall and precision', () => {
    const rows = [row('a', 0.9, true, true), row('a', 0.3, true, true), row('a', 0.8, true, false), row('a', 0.2, false, false), row('a', 0.6, false, false)];
    const [f] = figuresAt(rows, [0.9, 0.3, 0.8, 0.2, 0.6], 0.5);
    expect(f).toEqual({ set: 'a', accuracy: 1 / 3, accuracyNoReject: 2 / 3, oosRecall: 0.5, oosPrecision: 0.5 });
  });

  it('chooses the threshold that refuses the most out-of-scope questions while the median set loses at most 3 points', () => {
    const rows: DecisionRow[] = [];
    const confidences: number[] = [];
    for (const set of ['a', 'b', 'c']) {
      // 100 answerable, all right, confidences 0.30-0.99; 100 out of scope, confidences 0.00-0.49.
      for (let i = 0; i < 100; i++) {
        rows.push(row(set, 0, true, true));
        confidences.push(0.3 + (0.69 * i) / 99);
        rows.push(row(set, 0, false, false));
        confidences.push((0.49 * i) / 99);
      }
    }
    const t = chooseThreshold(rows, confidences);
    for (const f of figuresAt(rows, confidences, t)) expect(f.accuracyNoReject - f.accuracy).toBeLessThanOrEqual(0.03);
    // One step higher would cost more than 3 points: the threshold is as strict as the limit allows.
    const stricter = figuresAt(rows, confidences, t + 0.02);
    expect(stricter.some((f) => f.accuracyNoReject - f.accuracy > 0.03)).toBe(true);
    expect(figuresAt(rows, confidences, t)[0]!.oosRecall).toBeGreaterThan(0.6);
  });

  it('reports each set under a decision learned without that set', () => {
    const rows: DecisionRow[] = [];
    for (const set of ['a', 'b', 'c']) {
      for (let i = 0; i < 60; i++) {
        rows.push(row(set, 0.5 + i / 120, true, true));
        rows.push(row(set, i / 120, false, false));
      }
    }
    const held = leaveOneSetOut(rows, (s) => s !== 'c');
    expect(held.map(({ figures }) => figures.set)).toEqual(['a', 'b', 'c']);
    for (const { figures } of held) expect(figures.oosRecall).toBeGreaterThan(0.5);
    // The decision for a learned set was fitted without it: its trainedOn says so.
    expect(held[0]!.decision.trainedOn).toBe('all but a');
  });
});
