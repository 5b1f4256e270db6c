/** The calibrated decision: answer when confident, ask back between close candidates, admit defeat otherwise. */
import type { ClassifierScores } from './faq-classifier.ts';
import { RejectionModel, type RejectionModelState } from './rejection-model.ts';

export interface PolicyParams {
  rejection: RejectionModelState;
  /** Minimum confidence to answer or clarify; below it the question is unanswered. */
  threshold: number;
  /** Candidates scoring at least this share of the top score are offered as choices. */
  clarifyRatio: number;
  maxChoices: number;
}

export interface RankedClass {
  label: number;
  score: number;
}

export type Decision =
  | { kind: 'answer'; label: number; confidence: number; ranking: RankedClass[] }
  | { kind: 'clarify'; labels: number[]; confidence: number; ranking: RankedClass[] }
  | { kind: 'reject'; confidence: number; ranking: RankedClass[] };

/** Classes sorted by blended score, best first. */
export function rank(scores: ClassifierScores, limit = 5): RankedClass[] {
  return Array.from(scores.combined, (score, label) => ({ label, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

/** A question of at most this many words, all shared by several entries, names a topic rather than asks (驾驶证). */
const BARE_TOPIC_WORDS = 2;

/** How many numbers `decisionFeatures` returns. */
export const DECISION_FEATURE_COUNT = 12;

/** The signals beyond the top score that separate answerable questions from the rest. */
export function decisionFeatures(scores: ClassifierScores, ranking: readonly RankedClass[]): number[] {
  const top = ranking[0];
  if (!top) return [0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0];
  const second = ranking[1]?.score ?? 0;
  return [
    top.score,
    top.score - second,
    scores.probs[top.label]!,
    scores.sims[top.label]!,
    scores.unseenShare(top.label),
    scores.oovShare,
    scores.profileCoverage[top.label]!,
    Math.log1p(scores.profileEvidence),
    scores.topLogit,
    scores.unseenInformation(top.label),
    Math.log1p(scores.wordCount),
    entropy(scores.probs),
  ];
}

/** Entropy of the regression's probabilities: high when it spreads its belief over many entries. */
function entropy(probs: Float64Array): number {
  let h = 0;
  for (const p of probs) if (p > 0) h -= p * Math.log(p);
  return h;
}

export class DecisionPolicy {
  private readonly rejection: RejectionModel;

  constructor(readonly params: PolicyParams) {
    this.rejection = new RejectionModel(params.rejection);
  }

  confidence(scores: ClassifierScores, ranking: readonly RankedClass[]): number {
    return this.rejection.confidence(decisionFeatures(scores, ranking));
  }

  decide(scores: ClassifierScores): Decision {
    const ranking = rank(scores);
    const confidence = this.confidence(scores, ranking);
    const top = ranking[0];
    if (!top || confidence < this.params.threshold) return { kind: 'reject', confidence, ranking };
    const close = ranking
      .slice(0, this.params.maxChoices)
      .filter((r) => r.score >= this.params.clarifyRatio * top.score);
    if (close.length >= 2) return { kind: 'clarify', labels: close.map((r) => r.label), confidence, ranking };
    const alike = this.undistinguished(scores, ranking);
    if (alike.length >= 2) return { kind: 'clarify', labels: alike, confidence, ranking };
    return { kind: 'answer', label: top.label, confidence, ranking };
  }

  /**
   * For a bare topic, the top entry with the runners-up that also know every word of it: "驾驶证" alone
   * says nothing that tells renewal from replacement, however the scores fall, so it is asked back.
   */
  private undistinguished(scores: ClassifierScores, ranking: readonly RankedClass[]): number[] {
    const top = ranking[0];
    if (!top) return [];
    const matched = scores.wordsSeenWith(top.label);
    if (scores.wordCount > BARE_TOPIC_WORDS || matched.length === 0 || matched.length < scores.wordCount) return [];
    const others = ranking.slice(1, this.params.maxChoices).filter((r) => r.score > 0 && scores.wordsSeenWith(r.label).length === matched.length);
    return others.length > 0 ? [top.label, ...others.map((r) => r.label)] : [];
  }
}
