/**
 * The question-to-entry classifier: multinomial logistic regression on TF-IDF features blended with
 * the similarity to the nearest training question of each entry and BM25 against each entry's profile.
 */
import { ClassProfileIndex } from './class-profile.ts';
import { TfidfVectorizer, type TfidfState } from './features.ts';
import { NearestQuestionIndex } from './nearest-question.ts';
import { SoftmaxRegression, type SoftmaxRegressionOptions } from './softmax-regression.ts';
import type { SparseVector } from './sparse-vector.ts';
import type { PreparedText } from './text-pipeline.ts';
import { wordInformation } from './word-information.ts';

export interface TrainingExample {
  prepared: PreparedText;
  label: number;
  /** Training-only text (title, answer sentence, keywords): calibration never validates on it. */
  aux?: boolean;
}

/** Weights of the three scorers in the blended score; they sum to 1. */
export interface BlendWeights {
  regression: number;
  nearest: number;
  profile: number;
}

/** Everything the decision policy looks at for one question. */
export interface ClassifierScores {
  /** Blended score per class: the weighted sum of `probs`, `sims` and `profile`. */
  combined: Float64Array;
  probs: Float64Array;
  sims: Float64Array;
  /** BM25 against each class's profile, relative to the best class (see class-profile.ts). */
  profile: Float64Array;
  /** BM25 against each class's profile as a share of the question's idf mass. */
  profileCoverage: Float64Array;
  /** Absolute evidence for the best class: its BM25 (see class-profile.ts) and the regression's top logit. */
  profileEvidence: number;
  topLogit: number;
  /** Share of the question's words never seen in any training question. */
  oovShare: number;
  /** How many words the question has (a long question carries more evidence, for or against). */
  wordCount: number;
  /** For a class, the share of the question's words never seen with that class. */
  unseenShare(label: number): number;
  /** Like `unseenShare`, each word weighed by how much it says (see word-information.ts). */
  unseenInformation(label: number): number;
  /** The question's words that a class's training texts contain. */
  wordsSeenWith(label: number): string[];
}

export interface FaqClassifierState {
  numClasses: number;
  blend: BlendWeights;
  tfidf: TfidfState;
  weights: string;
  bias: number[];
  examples: Array<{ features: Array<[string, number]>; words: string[]; label: number }>;
}

export class FaqClassifier {
  private readonly index: NearestQuestionIndex;
  private readonly profiles: ClassProfileIndex;
  private readonly classWords: Array<Set<string>>;
  private readonly allWords = new Set<string>();

  private constructor(
    readonly numClasses: number,
    readonly blend: BlendWeights,
    private readonly vectorizer: TfidfVectorizer,
    private readonly model: SoftmaxRegression,
    private readonly examples: readonly TrainingExample[],
  ) {
    const vectors = examples.map((e) => vectorizer.transform(e.prepared.features));
    this.index = new NearestQuestionIndex(vectors, Int32Array.from(examples, (e) => e.label), numClasses, vectorizer.size);
    this.profiles = new ClassProfileIndex(
      examples.map((e) => ({ features: e.prepared.features, label: e.label })),
      numClasses,
    );
    this.classWords = Array.from({ length: numClasses }, () => new Set<string>());
    for (const e of examples) {
      for (const w of e.prepared.tokens.words) {
        this.classWords[e.label]!.add(w);
        this.allWords.add(w);
      }
    }
  }

  static train(
    examples: readonly TrainingExample[],
    numClasses: number,
    blend: BlendWeights,
    options: Partial<SoftmaxRegressionOptions> = {},
  ): FaqClassifier {
    const vectorizer = TfidfVectorizer.fit(examples.map((e) => e.prepared.features));
    const xs = examples.map((e) => vectorizer.transform(e.prepared.features));
    const ys = Int32Array.from(examples, (e) => e.label);
    const model = SoftmaxRegression.train(xs, ys, vectorizer.size, numClasses, options);
    return new FaqClassifier(numClasses, blend, vectorizer, model, examples);
  }

  vectorize(prepared: PreparedText): SparseVector {
    return this.vectorizer.transform(prepared.features);
  }

  /** Scores a question; `blend` overrides the trained blend weights (for model selection). */
  score(prepared: PreparedText, blend = this.blend): ClassifierScores {
    const x = this.vectorize(prepared);
    const { probs, topLogit } = this.model.predict(x);
    const sims = this.index.classSimilarities(x);
    const { relative: profile, coverage: profileCoverage, evidence: profileEvidence } = this.profiles.score(prepared.features);
    const combined = blendScores(probs, sims, profile, blend);
    const words = prepared.tokens.words;
    const share = (known: Set<string>): number =>
      words.length === 0 ? 1 : words.filter((w) => !known.has(w)).length / words.length;
    const information = words.map(wordInformation);
    const totalInformation = information.reduce((s, v) => s + v, 0);
    const informationShare = (known: Set<string>): number =>
      totalInformation === 0 ? 1 : words.reduce((s, w, i) => (known.has(w) ? s : s + information[i]!), 0) / totalInformation;
    return {
      combined,
      probs,
      sims,
      profile,
      profileCoverage,
      profileEvidence,
      topLogit,
      oovShare: share(this.allWords),
      wordCount: words.length,
      unseenShare: (label) => share(this.classWords[label] ?? new Set()),
      unseenInformation: (label) => informationShare(this.classWords[label] ?? new Set()),
      wordsSeenWith: (label) => words.filter((w) => this.classWords[label]?.has(w)),
    };
  }

  toState(): FaqClassifierState {
    return {
      numClasses: this.numClasses,
      blend: this.blend,
      tfidf: this.vectorizer.toState(),
      weights: Buffer.from(this.model.weights.buffer, this.model.weights.byteOffset, this.model.weights.byteLength).toString('base64'),
      bias: Array.from(this.model.bias),
      examples: this.examples.map((e) => ({
        features: [...e.prepared.features],
        words: e.prepared.tokens.words,
        label: e.label,
      })),
    };
  }

  static fromState(state: FaqClassifierState): FaqClassifier {
    const vectorizer = TfidfVectorizer.fromState(state.tfidf);
    const buf = Buffer.from(state.weights, 'base64');
    const weights = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const model = new SoftmaxRegression(vectorizer.size, state.numClasses, weights, Float32Array.from(state.bias));
    const examples = state.examples.map((e) => ({
      label: e.label,
      prepared: { normalized: '', tokens: { words: e.words, hanChars: [] }, features: new Map(e.features) },
    }));
    return new FaqClassifier(state.numClasses, state.blend, vectorizer, model, examples);
  }
}

/** The weighted sum of the three scorers, per class. */
export function blendScores(
  probs: Float64Array,
  sims: Float64Array,
  profile: Float64Array,
  blend: BlendWeights,
): Float64Array {
  const combined = new Float64Array(probs.length);
  for (let c = 0; c < probs.length; c++) {
    combined[c] = blend.regression * probs[c]! + blend.nearest * sims[c]! + blend.profile * profile[c]!;
  }
  return combined;
}
