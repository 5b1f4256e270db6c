/** The floors `npm run eval` checks on every row, and the regression gate `npm test` keeps over the visible public sets. */
import type { RunMetrics } from './eval-runner.ts';

/** Issue 15's floors: what the engine must reach, whatever it measured before. */
export const FLOORS = {
  /** Labelled sets with at least this many intents carry the out-of-scope floors; smaller ones none. */
  minIntents: 20,
  /** Out-of-scope recall on the leave-intents-out row. */
  oosRecall: 0.6,
  /** ... while accuracy stays at most this far below the same engine with rejection switched off. */
  maxAccuracyLossToRejection: 0.03,
  /** Accuracy with every intent known (the official split), by set. */
  allKnownAccuracy: { Banking77: 0.88 } as Readonly<Record<string, number>>,
} as const;

/** Which row of a set: its split with every training intent known, or the mean over its leave-intents-out folds. */
export type RowKind = 'all-known' | 'intents-left-out';

/** "met", "missed: <floor> by <amount>", or why the row has no floor. */
export function floorVerdict(set: { name: string; intents: number }, kind: RowKind, m: RunMetrics): string {
  const misses: string[] = [];
  if (kind === 'all-known') {
    const floor = FLOORS.allKnownAccuracy[set.name];
    if (floor === undefined) return set.intents < FLOORS.minIntents ? `no floor (<${FLOORS.minIntents} intents)` : 'none on this row';
    if (m.accuracy < floor) misses.push(`accuracy ${fmt(m.accuracy)} < ${fmt(floor)} (by ${fmt(floor - m.accuracy)})`);
  } else {
    if (set.intents < FLOORS.minIntents) return `no floor (<${FLOORS.minIntents} intents)`;
    if (m.oosRecall < FLOORS.oosRecall) {
      misses.push(`oosRecall ${fmt(m.oosRecall)} < ${fmt(FLOORS.oosRecall)} (by ${fmt(FLOORS.oosRecall - m.oosRecall)})`);
    }
    const loss = m.accuracyNoReject - m.accuracy;
    if (loss > FLOORS.maxAccuracyLossToRejection + 1e-9) {
      misses.push(
        `accuracy ${fmt(loss)} below rejection off (allowed ${fmt(FLOORS.maxAccuracyLossToRejection)}, over by ${fmt(loss - FLOORS.maxAccuracyLossToRejection)})`,
      );
    }
  }
  return misses.length > 0 ? `missed: ${misses.join('; ')}` : 'met';
}

function fmt(v: number): string {
  return v.toFixed(3);
}

/** A figure the regression gate keeps, with the lowest value it accepts. */
export type GateFigure = 'accuracy' | 'accuracyNoReject' | 'oosRecall' | 'oosF1';

/** Regression gate figures: the lowest each visible public set may reach, by set and row. */
type GateFloors = Readonly<Record<string, Partial<Record<RowKind, Partial<Record<GateFigure, number>>>>>>;

/**
 * The regression gate of `npm test` (test/eval-gate.test.ts) for engine v1: its figures measured with
 * `npm run eval` (2026-12), less 0.02. `sets` are what the gate runs (about 80 s in all); a set too slow for
 * `npm test` goes in `slow` instead.
 */
export const REGRESSION_GATE = {
  sets: ['braun2017 Chatbot', 'braun2017 AskUbuntu', 'braun2017 WebApplications', 'xSID zh', 'SMP2019', 'Banking77'],
  slow: [],
  floors: {
    'braun2017 Chatbot': { 'all-known': { accuracy: 0.94 } },
    'braun2017 AskUbuntu': { 'all-known': { accuracy: 0.93 }, 'intents-left-out': { accuracy: 0.89, oosRecall: 0.49 } },
    'braun2017 WebApplications': { 'all-known': { accuracy: 0.78 }, 'intents-left-out': { accuracy: 0.74, oosRecall: 0.62 } },
    'xSID zh': { 'all-known': { accuracy: 0.88 }, 'intents-left-out': { accuracy: 0.9, oosRecall: 0.3 } },
    SMP2019: { 'all-known': { accuracy: 0.86 }, 'intents-left-out': { accuracy: 0.88, oosRecall: 0.18 } },
    Banking77: { 'all-known': { accuracy: 0.87 }, 'intents-left-out': { accuracy: 0.89, oosRecall: 0.31 } },
  },
} as const satisfies {
  sets: readonly string[];
  slow: readonly string[];
  floors: GateFloors;
};

/**
 * Engine v2's regression gate: `npm run eval -- --engine v2` of 2026-12-07 (each public set measured with the
 * shipped decision learned without it), less 0.02. It runs every set of REGRESSION_GATE, in seconds.
 */
export const REGRESSION_GATE_V2: GateFloors = {
  'braun2017 Chatbot': { 'all-known': { accuracy: 0.79 } },
  'braun2017 AskUbuntu': { 'all-known': { accuracy: 0.84 }, 'intents-left-out': { accuracy: 0.86, oosRecall: 0.63 } },
  'braun2017 WebApplications': { 'all-known': { accuracy: 0.72 }, 'intents-left-out': { accuracy: 0.73, oosRecall: 0.67 } },
  'xSID zh': { 'all-known': { accuracy: 0.86 }, 'intents-left-out': { accuracy: 0.88, oosRecall: 0.54 } },
  SMP2019: { 'all-known': { accuracy: 0.77 }, 'intents-left-out': { accuracy: 0.8, oosRecall: 0.33 } },
  Banking77: { 'all-known': { accuracy: 0.84 }, 'intents-left-out': { accuracy: 0.87, oosRecall: 0.27 } },
};
