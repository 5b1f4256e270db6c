/** Scoring of an evaluation run: accuracy on answerable cases and precision/recall of "unanswerable". */
import type { Outcome } from '../core/message.ts';

export interface CaseResult {
  expect: string | null;
  outcome: Outcome;
  /** The top candidate the system found (answer, first choice of a clarification, or best guess it rejected). */
  top: string | null;
  ms: number;
}

export interface EvalMetrics {
  cases: number;
  answerable: number;
  unanswerable: number;
  accuracy: number;
  /** Accuracy of the same engine with rejection switched off: answerable cases whose top candidate is right, whatever the outcome. */
  accuracyNoReject: number;
  oosRecall: number;
  oosPrecision: number;
  oosF1: number;
  clarifyRate: number;
  p50Ms: number;
  p99Ms: number;
  trainMs: number;
}

export function score(results: readonly CaseResult[], trainMs: number): EvalMetrics {
  const answerable = results.filter((r) => r.expect !== null);
  const unanswerable = results.filter((r) => r.expect === null);
  const correct = answerable.filter((r) => (r.outcome === 'answered' || r.outcome === 'clarify') && r.top === r.expect).length;
  const correctNoReject = answerable.filter((r) => r.top === r.expect).length;
  const predictedOut = results.filter((r) => r.outcome === 'unanswered');
  const truePositives = predictedOut.filter((r) => r.expect === null).length;
  const precision = predictedOut.length > 0 ? truePositives / predictedOut.length : 0;
  const recall = unanswerable.length > 0 ? truePositives / unanswerable.length : 0;
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    cases: results.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    accuracy: ratio(correct, answerable.length),
    accuracyNoReject: ratio(correctNoReject, answerable.length),
    oosRecall: round(recall),
    oosPrecision: round(precision),
    oosF1: round(precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0),
    clarifyRate: ratio(results.filter((r) => r.outcome === 'clarify').length, results.length),
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    trainMs: Math.round(trainMs),
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
}

function ratio(n: number, d: number): number {
  return d > 0 ? round(n / d) : 0;
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
