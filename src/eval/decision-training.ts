/**
 * How engine v2's shipped decision is learned (`npm run train:decision`): every labelled set's leave-intents-out
 * folds are indexed, each test question's features against its best candidate are collected (label: that
 * candidate is the right entry), one logistic model is fitted over all sets, and the answer threshold is the
 * one that refuses the most out-of-scope questions while the median set loses at most MAX_ACCURACY_LOSS of
 * accuracy. Leave-one-set-out runs report how the recipe does on a set it never saw.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadKnowledgeBase } from '../knowledge/knowledge-loader.ts';
import type { KnowledgeBase } from '../knowledge/types.ts';
import { FEATURE_NAMES } from '../nlu/candidate-features.ts';
import { seededRandom, shuffle } from '../nlu/random.ts';
import { RejectionModel } from '../nlu/rejection-model.ts';
import { RetrievalMatcher, type DecisionWeights } from '../nlu/retrieval-matcher.ts';
import { knowledgeWithout, leaveIntentsOut } from './folds.ts';
import type { LabelledSet } from './public-datasets.ts';

/** Accuracy on answerable questions the threshold may cost the median set (issue 15's floor: 3 points). */
export const MAX_ACCURACY_LOSS = 0.03;
/** Rows each set contributes to the fit at most, so that a large set does not decide for the others. */
const ROWS_PER_SET = 2000;
const CLARIFY_RATIO = 0.92;
const MAX_CHOICES = 3;

/** One test question of one fold. */
export interface DecisionRow {
  set: string;
  features: number[];
  /** The question has a right entry in the fold's knowledge base. */
  answerable: boolean;
  /** The best candidate is that entry. */
  right: boolean;
}

/** The knowledge base of a fold: the set's folder less the left-out entries, or its training as the JSON format. */
function foldKnowledge(set: LabelledSet, training: ReadonlyMap<string, readonly string[]>, leftOut: readonly string[]): KnowledgeBase {
  if (set.folder) return knowledgeWithout(loadKnowledgeBase(resolve(set.folder)), leftOut, set.folder);
  const dir = mkdtempSync(join(tmpdir(), 'huiying-decision-'));
  try {
    const file = join(dir, 'kb.json');
    writeFileSync(file, JSON.stringify({ entries: [...training].map(([id, questions]) => ({ id, questions, answer: id })) }));
    return loadKnowledgeBase(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every fold's test questions of a set with their features (a placeholder decision: only the features are read). */
export function collectRows(set: LabelledSet): DecisionRow[] {
  const rows: DecisionRow[] = [];
  for (const leftOut of set.oosFolds) {
    const fold = leaveIntentsOut(set.training, set.cases, leftOut);
    const matcher = RetrievalMatcher.build(foldKnowledge(set, fold.training, leftOut), placeholderDecision());
    for (const c of fold.cases) {
      const { candidates, features } = matcher.analyse(c.text);
      rows.push({ set: set.name, features, answerable: c.expect !== null, right: c.expect !== null && candidates[0]?.entry.id === c.expect });
    }
  }
  return rows;
}

function placeholderDecision(): DecisionWeights {
  const dims = FEATURE_NAMES.length;
  return {
    features: [...FEATURE_NAMES],
    model: { weights: new Array<number>(dims).fill(0), bias: 0, mean: new Array<number>(dims).fill(0), std: new Array<number>(dims).fill(1) },
    answerAt: 0,
    clarifyRatio: CLARIFY_RATIO,
    maxChoices: MAX_CHOICES,
    trainedOn: 'placeholder',
  };
}

/** Accuracy (answerable and answered right), the same with rejection off, and out-of-scope recall of a set at a threshold. */
export interface SetFigures {
  set: string;
  accuracy: number;
  accuracyNoReject: number;
  oosRecall: number;
  oosPrecision: number;
}

export function figuresAt(rows: readonly DecisionRow[], confidences: readonly number[], threshold: number): SetFigures[] {
  const bySet = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = bySet.get(r.set);
    if (list) list.push(i);
    else bySet.set(r.set, [i]);
  });
  return [...bySet].map(([set, idx]) => {
    let answerable = 0;
    let right = 0;
    let answeredRight = 0;
    let unanswerable = 0;
    let refusedOut = 0;
    let refused = 0;
    for (const i of idx) {
      const r = rows[i]!;
      const answers = confidences[i]! >= threshold;
      if (!answers) refused++;
      if (r.answerable) {
        answerable++;
        if (r.right) right++;
        if (r.right && answers) answeredRight++;
      } else {
        unanswerable++;
        if (!answers) refusedOut++;
      }
    }
    return {
      set,
      accuracy: answeredRight / Math.max(1, answerable),
      accuracyNoReject: right / Math.max(1, answerable),
      oosRecall: refusedOut / Math.max(1, unanswerable),
      oosPrecision: refused > 0 ? refusedOut / refused : 0,
    };
  });
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/**
 * The threshold with the highest mean out-of-scope recall at which the median set loses at most
 * MAX_ACCURACY_LOSS of accuracy (the median, so that one odd set does not decide for all).
 */
export function chooseThreshold(rows: readonly DecisionRow[], confidences: readonly number[]): number {
  let best = 0;
  let bestRecall = -1;
  for (let t = 0; t <= 0.99; t += 0.01) {
    const figures = figuresAt(rows, confidences, t);
    const losses = figures.map((f) => f.accuracyNoReject - f.accuracy).sort((a, b) => a - b);
    const loss = losses[losses.length >> 1]!;
    const recall = mean(figures.map((f) => f.oosRecall));
    if (loss <= MAX_ACCURACY_LOSS && recall > bestRecall) {
      best = t;
      bestRecall = recall;
    }
  }
  return Math.round(best * 100) / 100;
}

/** Fits the decision on the rows (each set capped at ROWS_PER_SET, fixed seed) and chooses its threshold on them. */
export function fitDecision(rows: readonly DecisionRow[], trainedOn: string): DecisionWeights {
  const sets = [...new Set(rows.map((r) => r.set))];
  const random = seededRandom(31);
  const sample = sets.flatMap((s) => shuffle(rows.filter((r) => r.set === s), random).slice(0, ROWS_PER_SET));
  const model = RejectionModel.fit(
    sample.map((r) => r.features),
    sample.map((r) => (r.right ? 1 : 0)),
  );
  const confidences = rows.map((r) => model.confidence(r.features));
  return {
    features: [...FEATURE_NAMES],
    model: model.state,
    answerAt: chooseThreshold(rows, confidences),
    clarifyRatio: CLARIFY_RATIO,
    maxChoices: MAX_CHOICES,
    trainedOn,
  };
}

/** Each set's figures under a decision fitted on the `learning` rows of the other sets, and that decision. */
export function leaveOneSetOut(rows: readonly DecisionRow[], learning: (set: string) => boolean): Array<{ figures: SetFigures; decision: DecisionWeights }> {
  const sets = [...new Set(rows.map((r) => r.set))];
  return sets.flatMap((held) => {
    const decision = fitDecision(
      rows.filter((r) => r.set !== held && learning(r.set)),
      `all but ${held}`,
    );
    const model = new RejectionModel(decision.model);
    const heldRows = rows.filter((r) => r.set === held);
    return figuresAt(heldRows, heldRows.map((r) => model.confidence(r.features)), decision.answerAt).map((figures) => ({ figures, decision }));
  });
}
