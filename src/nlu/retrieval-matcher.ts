/**
 * Engine v2's matcher: retrieval (EntryIndex) finds the best entries, and one decision model shipped in the
 * repository (decision-weights.json, made by `npm run train:decision`) says from knowledge-base-neutral
 * features (candidate-features.ts) whether the best one answers the question. Nothing is chosen from the
 * knowledge base's own errors: building is indexing only.
 */
import { readFileSync } from 'node:fs';
import type { KnowledgeBase } from '../knowledge/types.ts';
import { candidateFeatures, FEATURE_NAMES, type FeatureSource } from './candidate-features.ts';
import { hashKindTerm, TERM_KIND } from './term-hash.ts';
import { EntryIndex, type EntryCandidate } from './entry-index.ts';
import type { LiveEntryIndex } from './live-entry-index.ts';
import type { MatchResult } from './faq-matcher.ts';
import { RejectionModel, type RejectionModelState } from './rejection-model.ts';

/** The shipped decision: a logistic model of "the best candidate is right" and where it answers. */
export interface DecisionWeights {
  features: string[];
  model: RejectionModelState;
  /** Answer (or ask back) from this confidence up; below it, "I don't know". */
  answerAt: number;
  /** Candidates scoring at least this share of the best are offered together (ask back). */
  clarifyRatio: number;
  maxChoices: number;
  /** How the weights were made, in words (sets, folds, date). */
  trainedOn: string;
  /**
   * For each set the decision learned from, the decision learned without it, so that an evaluation on that set
   * measures a decision that never saw it (`huiying eval --decision-without <set>`).
   */
  heldOut?: Record<string, Pick<DecisionWeights, 'model' | 'answerAt'>>;
}

const WEIGHTS_FILE = new URL('./decision-weights.json', import.meta.url);

/**
 * The decision shipped in the repository; with `without`, the one learned without that labelled set (the
 * shipped one itself when it never learned from the set).
 */
export function shippedDecision(without?: string): DecisionWeights {
  const weights = JSON.parse(readFileSync(WEIGHTS_FILE, 'utf8')) as DecisionWeights;
  if (weights.features.join() !== FEATURE_NAMES.join()) throw new Error(`${WEIGHTS_FILE.pathname} was trained on other features; run npm run train:decision`);
  const held = without === undefined ? undefined : weights.heldOut?.[without];
  const { heldOut: _all, ...shipped } = weights;
  return held ? { ...shipped, ...held, trainedOn: `${weights.trainedOn}, less ${without}` } : shipped;
}

/** How many entries retrieval returns for the decision and the choices. */
const CANDIDATES = 5;

export class RetrievalMatcher {
  private readonly model: RejectionModel;
  private readonly source: FeatureSource;

  constructor(
    /** The entries: one index, or a base with the live edits since (LiveEntryIndex). */
    readonly index: EntryIndex | LiveEntryIndex,
    private readonly decision: DecisionWeights = shippedDecision(),
    /** Added to `answerAt`: above 0 stricter (more "I don't know"), below 0 looser (DECISION_STRICTNESS). */
    private readonly strictness = 0,
  ) {
    this.model = new RejectionModel(decision.model);
    this.source = index.featureSource();
  }

  static build(kb: KnowledgeBase, decision?: DecisionWeights, strictness = 0): RetrievalMatcher {
    return new RetrievalMatcher(EntryIndex.build(kb), decision, strictness);
  }

  /** The best candidates of a text with the decision's features for them, and the text's word hashes. */
  analyse(text: string): { candidates: EntryCandidate[]; features: number[]; words: number[] } {
    const prepared = this.index.textTerms.prepare(text);
    const candidates = this.index.retrieveTerms(prepared.terms, CANDIDATES);
    const words = [...new Set(prepared.tokens.words)].map((w) => hashKindTerm(TERM_KIND.word, w));
    return { candidates, features: candidateFeatures(prepared.tokens, prepared.normalized, candidates, this.source), words };
  }

  match(text: string): MatchResult {
    const { candidates, features, words } = this.analyse(text);
    const listed = candidates.slice(0, 3).map((c) => ({ id: c.entry.id, score: round(c.score) }));
    const top = candidates[0];
    const confidence = top ? this.model.confidence(features) : 0;
    if (!top || confidence < this.decision.answerAt + this.strictness) return { kind: 'reject', ids: [], confidence: round(confidence), candidates: listed };
    // A close candidate is offered beside the best only when the question has no word the best holds and it
    // lacks: "大安區" in a question tells the 大安區 entry from its 信義區 twin, however close their scores.
    const distinguished = (c: EntryCandidate): boolean => words.some((h) => this.source.holds(top, h) && !this.source.holds(c, h));
    const close = candidates
      .slice(0, this.decision.maxChoices)
      .filter((c) => c === top || (c.score >= this.decision.clarifyRatio * top.score && !distinguished(c)));
    if (close.length >= 2) return { kind: 'clarify', ids: close.map((c) => c.entry.id), confidence: round(confidence), candidates: listed };
    return { kind: 'answer', ids: [top.entry.id], confidence: round(confidence), candidates: listed };
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
