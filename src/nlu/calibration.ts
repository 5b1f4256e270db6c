/**
 * Model selection and threshold tuning on the training data alone: each entry's questions are split
 * into training and validation parts, and whole entries are left out in turn (leave-classes-out folds)
 * to stand in for questions the knowledge base cannot answer.
 */
import { blendScores, FaqClassifier, type BlendWeights, type ClassifierScores, type TrainingExample } from './faq-classifier.ts';
import { DECISION_FEATURE_COUNT, decisionFeatures, rank, type PolicyParams } from './decision-policy.ts';
import { RejectionModel } from './rejection-model.ts';
import { seededRandom, shuffle } from './random.ts';
import type { SoftmaxRegressionOptions } from './softmax-regression.ts';
import type { PreparedText } from './text-pipeline.ts';

const MAX_OUT_OF_SCOPE_PER_CLASS = 20;
const VALIDATION_FOLDS = 5;
/** Largest share of correctly answered validation questions the threshold may reject. */
const MAX_REJECTED_CORRECT = 0.01;
const MIN_IN_SCOPE_SAMPLES = 400;

/**
 * Assumed share of unanswerable questions in real traffic, used to weigh the simulated samples
 * (the simulation produces them in whatever proportion the folds happen to give).
 */
const OUT_OF_SCOPE_PRIOR = 0.25;

/**
 * Validation accuracy a blend may lose to the best one and still be chosen for being more even: on
 * small knowledge bases the differences between blends are mostly noise.
 */
const BLEND_TOLERANCE = 0.005;

/** Blend weights tried: every split of 1 into quarters, the more even ones first (preferred when they tie). */
export const BLEND_GRID: readonly BlendWeights[] = (() => {
  const grid: BlendWeights[] = [];
  for (let r = 0; r <= 4; r++) {
    for (let n = 0; r + n <= 4; n++) grid.push({ regression: r / 4, nearest: n / 4, profile: (4 - r - n) / 4 });
  }
  const spread = (b: BlendWeights): number => Math.max(b.regression, b.nearest, b.profile);
  return grid.sort((a, b) => spread(a) - spread(b));
})();

const blendName = (b: BlendWeights): string => `${b.regression}/${b.nearest}/${b.profile}`;

export interface CalibrationReport {
  /** Top-1 accuracy on the validation split for each blend, named regression/nearest/profile. */
  validationAccuracy: Record<string, number>;
  blend: BlendWeights;
  threshold: number;
  clarifyRatio: number;
  inScopeSamples: number;
  outOfScopeSamples: number;
  /** On the simulated data: share of answerable questions kept, share of left-out ones rejected. */
  keptAnswerable: number;
  rejectedLeftOut: number;
}

export interface CalibrationResult {
  blend: BlendWeights;
  policy: PolicyParams;
  report: CalibrationReport;
}

interface Sample {
  classifier: FaqClassifier;
  prepared: PreparedText;
  /** The right class, or null for a question from a left-out class. */
  label: number | null;
}

const DEFAULT_BLEND: BlendWeights = { regression: 0.5, nearest: 0.25, profile: 0.25 };

const DEFAULT_POLICY: PolicyParams = {
  rejection: {
    weights: [1, ...new Array<number>(DECISION_FEATURE_COUNT - 1).fill(0)],
    bias: 0,
    mean: [0.35, ...new Array<number>(DECISION_FEATURE_COUNT - 1).fill(0)],
    std: new Array<number>(DECISION_FEATURE_COUNT).fill(1).map((v, i) => (i === 0 ? 0.1 : v)),
  },
  threshold: 0.5,
  clarifyRatio: 0.8,
  maxChoices: 3,
};

export function calibrate(
  examples: readonly TrainingExample[],
  numClasses: number,
  options: { folds?: number; seed?: number; softmax?: Partial<SoftmaxRegressionOptions> } = {},
): CalibrationResult {
  const random = seededRandom(options.seed ?? 13);
  const byClass = Array.from({ length: numClasses }, () => [] as number[]);
  examples.forEach((e, i) => {
    if (!e.aux) byClass[e.label]!.push(i);
  });
  const folds = numClasses >= 2 ? Math.min(options.folds ?? 4, numClasses) : 0;
  if (folds === 0) {
    return { blend: DEFAULT_BLEND, policy: DEFAULT_POLICY, report: emptyReport() };
  }
  // In-scope samples: held-out questions of every entry (stratified cross-validation), scored by a
  // model that knows every entry. Small sets run all folds; large ones stop once there are enough.
  const itemFold = new Int8Array(examples.length).fill(-1);
  for (const members of byClass) {
    if (members.length < 2) continue;
    shuffle([...members], random).forEach((i, n) => {
      itemFold[i] = n % VALIDATION_FOLDS;
    });
  }
  const samples: Sample[] = [];
  for (let v = 0; v < VALIDATION_FOLDS && samples.length < MIN_IN_SCOPE_SAMPLES; v++) {
    const model = FaqClassifier.train(
      examples.filter((_, i) => itemFold[i] !== v),
      numClasses,
      DEFAULT_BLEND,
      options.softmax,
    );
    examples.forEach((e, i) => {
      if (itemFold[i] === v) samples.push({ classifier: model, prepared: e.prepared, label: e.label });
    });
  }
  // Out-of-scope samples: questions of entries left out of training, one group of entries per fold.
  const classOrder = shuffle(Array.from({ length: numClasses }, (_, c) => c), random);
  const perFold = Math.max(1, Math.ceil(numClasses * 0.15));
  for (let k = 0; k < folds; k++) {
    const leftOut = new Set<number>();
    for (let j = 0; j < perFold; j++) leftOut.add(classOrder[(k * perFold + j) % numClasses]!);
    const classifier = FaqClassifier.train(
      examples.filter((e) => !leftOut.has(e.label)),
      numClasses,
      DEFAULT_BLEND,
      options.softmax,
    );
    for (const c of leftOut) {
      for (const i of byClass[c]!.slice(0, MAX_OUT_OF_SCOPE_PER_CLASS)) {
        samples.push({ classifier, prepared: examples[i]!.prepared, label: null });
      }
    }
  }
  const scored = samples.map((s) => s.classifier.score(s.prepared));
  const inScope = samples.flatMap((s, i) => (s.label !== null ? [i] : []));
  const validationAccuracy: Record<string, number> = {};
  const accuracies = BLEND_GRID.map((b) => {
    const correct = inScope.filter((i) => topLabel(reblend(scored[i]!, b)) === samples[i]!.label).length;
    const accuracy = inScope.length > 0 ? correct / inScope.length : 0;
    validationAccuracy[blendName(b)] = accuracy;
    return accuracy;
  });
  const bestAccuracy = Math.max(...accuracies);
  const blend = BLEND_GRID[accuracies.findIndex((a) => a >= bestAccuracy - BLEND_TOLERANCE)] ?? DEFAULT_BLEND;
  const rows: number[][] = [];
  const labels: number[] = [];
  const rankings = samples.map((s, i) => {
    const scores = reblend(scored[i]!, blend);
    const ranking = rank(scores);
    rows.push(decisionFeatures(scores, ranking));
    labels.push(s.label !== null && ranking[0]?.label === s.label ? 1 : 0);
    return ranking;
  });
  const rejection = RejectionModel.fit(rows, labels);
  const confidences = rows.map((r) => rejection.confidence(r));
  // Never reject more than a few answerable questions the model gets right: real questions are
  // phrased further from the training variants than held-out variants are.
  const correctConfidences = confidences.filter((_, i) => labels[i] === 1).sort((a, b) => a - b);
  const protectAnswerable = correctConfidences[Math.floor(correctConfidences.length * MAX_REJECTED_CORRECT)] ?? 0;
  const threshold = Math.min(chooseThreshold(confidences, samples), protectAnswerable);
  const clarifyRatio = chooseClarifyRatio(samples, rankings, confidences, threshold);
  const accepted = (i: number): boolean => confidences[i]! >= threshold;
  const inIdx = samples.flatMap((s, i) => (s.label !== null ? [i] : []));
  const outIdx = samples.flatMap((s, i) => (s.label === null ? [i] : []));
  return {
    blend,
    policy: { rejection: rejection.state, threshold, clarifyRatio, maxChoices: 3 },
    report: {
      validationAccuracy,
      blend,
      threshold,
      clarifyRatio,
      inScopeSamples: inIdx.length,
      outOfScopeSamples: outIdx.length,
      keptAnswerable: share(inIdx, accepted),
      rejectedLeftOut: share(outIdx, (i) => !accepted(i)),
    },
  };
}

/**
 * The confidence cut-off that maximises F0.5 of "unanswerable": precision counts double, so the
 * point protects answerable questions, since left-out entries are harder to reject than real
 * unanswerable questions.
 */
function chooseThreshold(confidences: readonly number[], samples: readonly Sample[]): number {
  const candidates = [...new Set(confidences.map((c) => Math.round(c * 1000) / 1000))].sort((a, b) => a - b);
  const inCount = samples.filter((s) => s.label !== null).length;
  const outCount = samples.length - inCount;
  // Weigh the left-out questions so they make up OUT_OF_SCOPE_PRIOR of the total.
  const outWeight = outCount > 0 ? (OUT_OF_SCOPE_PRIOR / (1 - OUT_OF_SCOPE_PRIOR)) * (inCount / outCount) : 0;
  const totalOut = outCount * outWeight;
  let best = { t: 0, f: -1 };
  for (const t of candidates) {
    let tp = 0;
    let fp = 0;
    samples.forEach((s, i) => {
      if (confidences[i]! < t) {
        if (s.label === null) tp += outWeight;
        else fp++;
      }
    });
    const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    const recall = totalOut > 0 ? tp / totalOut : 0;
    const beta2 = 0.25;
    const f = precision + recall > 0 ? ((1 + beta2) * precision * recall) / (beta2 * precision + recall) : 0;
    if (f > best.f) best = { t, f };
  }
  return best.t;
}

/** The ratio that asks back where the right entry is a close second, without asking back on clear answers. */
function chooseClarifyRatio(
  samples: readonly Sample[],
  rankings: ReadonlyArray<ReturnType<typeof rank>>,
  confidences: readonly number[],
  threshold: number,
): number {
  let best = { ratio: 1.01, gain: 0 };
  for (let ratio = 0.5; ratio <= 0.951; ratio += 0.05) {
    let gain = 0;
    samples.forEach((s, i) => {
      if (s.label === null || confidences[i]! < threshold) return;
      const ranking = rankings[i]!;
      const top = ranking[0]!;
      const close = ranking.slice(0, 3).filter((r) => r.score >= ratio * top.score);
      if (close.length < 2) return;
      if (top.label !== s.label && close.some((r) => r.label === s.label)) gain += 1;
      else if (top.label === s.label) gain -= 0.5;
    });
    if (gain > best.gain) best = { ratio: Math.round(ratio * 100) / 100, gain };
  }
  return best.ratio;
}

/** The same scores under other blend weights. */
function reblend(scores: ClassifierScores, blend: BlendWeights): ClassifierScores {
  return { ...scores, combined: blendScores(scores.probs, scores.sims, scores.profile, blend) };
}

function topLabel(scores: ClassifierScores): number {
  let best = 0;
  for (let c = 1; c < scores.combined.length; c++) if (scores.combined[c]! > scores.combined[best]!) best = c;
  return best;
}

function share(indices: readonly number[], predicate: (i: number) => boolean): number {
  return indices.length === 0 ? 0 : indices.filter(predicate).length / indices.length;
}

function emptyReport(): CalibrationReport {
  return {
    validationAccuracy: {},
    blend: DEFAULT_BLEND,
    threshold: DEFAULT_POLICY.threshold,
    clarifyRatio: DEFAULT_POLICY.clarifyRatio,
    inScopeSamples: 0,
    outOfScopeSamples: 0,
    keptAnswerable: 0,
    rejectedLeftOut: 0,
  };
}
