/** Matches a citizen's question to knowledge-base entries: classifier, calibrated policy and entry ids together. */
import { calibrate, type CalibrationReport } from './calibration.ts';
import { DecisionPolicy, type PolicyParams } from './decision-policy.ts';
import { FaqClassifier, type FaqClassifierState, type TrainingExample } from './faq-classifier.ts';
import type { SoftmaxRegressionOptions } from './softmax-regression.ts';
import { TextPipeline } from './text-pipeline.ts';

/** What a matcher learns from: one class per entry, with the ways citizens ask. */
export interface MatcherDataset {
  classes: Array<{
    id: string;
    questions: string[];
    /** Texts that teach vocabulary (titles, answer sentences, keywords) but are not questions: never held out for validation. */
    extra?: string[];
  }>;
  /** Canonical word -> variants, from the knowledge base. */
  synonyms?: ReadonlyMap<string, readonly string[]>;
  /** Domain words taught to the Chinese segmenter. */
  userWords?: readonly string[];
}

export interface MatchCandidate {
  id: string;
  score: number;
}

export interface MatchResult {
  kind: 'answer' | 'clarify' | 'reject';
  /** The entry to answer with, or the entries to offer, best first; empty when rejected. */
  ids: string[];
  confidence: number;
  candidates: MatchCandidate[];
}

export interface MatcherState {
  version: number;
  ids: string[];
  synonyms: Array<[string, string[]]>;
  userWords: string[];
  /** The knowledge base's words, for homophone correction. */
  vocabulary: string[];
  classifier: FaqClassifierState;
  policy: PolicyParams;
  report: CalibrationReport;
}

export const MATCHER_STATE_VERSION = 6;

export class FaqMatcher {
  private readonly policy: DecisionPolicy;

  private constructor(
    /** The normalisation and segmentation this matcher was trained with (shared with the intents). */
    readonly pipeline: TextPipeline,
    private readonly ids: string[],
    private readonly classifier: FaqClassifier,
    policy: PolicyParams,
    readonly report: CalibrationReport,
    private readonly dataset: { synonyms: Array<[string, string[]]>; userWords: string[] },
  ) {
    this.policy = new DecisionPolicy(policy);
  }

  static train(dataset: MatcherDataset, options: { softmax?: Partial<SoftmaxRegressionOptions>; seed?: number } = {}): FaqMatcher {
    const synonyms = [...(dataset.synonyms ?? new Map<string, readonly string[]>())].map(
      ([k, v]) => [k, [...v]] as [string, string[]],
    );
    const userWords = [...(dataset.userWords ?? [])];
    const plain = new TextPipeline({ synonyms: new Map(synonyms), userWords });
    const vocabulary = new Set(dataset.classes.flatMap((c) => [...c.questions, ...(c.extra ?? [])]).flatMap((t) => plain.words(t)));
    const pipeline = new TextPipeline({ synonyms: new Map(synonyms), userWords, vocabulary });
    const examples: TrainingExample[] = [];
    dataset.classes.forEach((cls, label) => {
      for (const q of cls.questions) {
        const prepared = pipeline.prepare(q);
        if (prepared.features.size > 0) examples.push({ prepared, label });
      }
      for (const text of cls.extra ?? []) {
        const prepared = pipeline.prepare(text);
        if (prepared.features.size > 0) examples.push({ prepared, label, aux: true });
      }
    });
    const numClasses = dataset.classes.length;
    const { blend, policy, report } = calibrate(examples, numClasses, { softmax: options.softmax, seed: options.seed });
    const classifier = FaqClassifier.train(examples, numClasses, blend, options.softmax);
    return new FaqMatcher(pipeline, dataset.classes.map((c) => c.id), classifier, policy, report, { synonyms, userWords });
  }

  match(text: string): MatchResult {
    const scores = this.classifier.score(this.pipeline.prepare(text));
    const decision = this.policy.decide(scores);
    const candidates = decision.ranking.slice(0, 3).map((r) => ({ id: this.ids[r.label]!, score: round(r.score) }));
    const ids =
      decision.kind === 'answer'
        ? [this.ids[decision.label]!]
        : decision.kind === 'clarify'
          ? decision.labels.map((l) => this.ids[l]!)
          : [];
    return { kind: decision.kind, ids, confidence: round(decision.confidence), candidates };
  }

  toState(): MatcherState {
    return {
      version: MATCHER_STATE_VERSION,
      ids: this.ids,
      synonyms: this.dataset.synonyms,
      userWords: this.dataset.userWords,
      vocabulary: this.pipeline.vocabulary,
      classifier: this.classifier.toState(),
      policy: this.policy.params,
      report: this.report,
    };
  }

  static fromState(state: MatcherState): FaqMatcher {
    const pipeline = new TextPipeline({ synonyms: new Map(state.synonyms), userWords: state.userWords, vocabulary: state.vocabulary });
    return new FaqMatcher(pipeline, state.ids, FaqClassifier.fromState(state.classifier), state.policy, state.report, {
      synonyms: state.synonyms,
      userWords: state.userWords,
    });
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
