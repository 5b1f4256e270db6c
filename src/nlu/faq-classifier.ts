/**
 * The question-to-entry classifier: multinomial logistic regression on TF-IDF features blended with
 * the similarity to the nearest training question of each entry.
 */
import { TfidfVectorizer, type TfidfState } from './features.ts';
import { NearestQuestionIndex } from './nearest-question.ts';
import { SoftmaxRegression, type SoftmaxRegressionOptions } from './softmax-regression.ts';
import type { SparseVector } from './sparse-vector.ts';
import type { PreparedText } from './text-pipeline.ts';

export interface TrainingExample {
  prepared: PreparedText;
  label: number;
  /** Training-only text (title, answer sentence, keywords): calibration never validates on it. */
  aux?: boolean;
}

/** Everything the decision policy looks at for one question. */
export interface ClassifierScores {
  /** Blended score per class: alpha * probability + (1 - alpha) * nearest-question similarity. */
  combined: Float64Array;
  probs: Float64Array;
  sims: Float64Array;
  /** Share of the question's words never seen in any training question. */
  oovShare: number;
  /** For a class, the share of the question's words never seen with that class. */
  unseenShare(label: number): number;
}

export interface FaqClassifierState {
  numClasses: number;
  alpha: number;
  tfidf: TfidfState;
  weights: string;
  bias: number[];
  examples: Array<{ features: Array<[string, number]>; words: string[]; label: number }>;
}

export class FaqClassifier {
  private readonly index: NearestQuestionIndex;
  private readonly classWords: Array<Set<string>>;
  private readonly allWords = new Set<string>();

  private constructor(
    readonly numClasses: number,
    readonly alpha: number,
    private readonly vectorizer: TfidfVectorizer,
    private readonly model: SoftmaxRegression,
    private readonly examples: readonly TrainingExample[],
  ) {
    const vectors = examples.map((e) => vectorizer.transform(e.prepared.features));
    this.index = new NearestQuestionIndex(vectors, Int32Array.from(examples, (e) => e.label), numClasses, vectorizer.size);
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
    alpha: number,
    options: Partial<SoftmaxRegressionOptions> = {},
  ): FaqClassifier {
    const vectorizer = TfidfVectorizer.fit(examples.map((e) => e.prepared.features));
    const xs = examples.map((e) => vectorizer.transform(e.prepared.features));
    const ys = Int32Array.from(examples, (e) => e.label);
    const model = SoftmaxRegression.train(xs, ys, vectorizer.size, numClasses, options);
    return new FaqClassifier(numClasses, alpha, vectorizer, model, examples);
  }

  vectorize(prepared: PreparedText): SparseVector {
    return this.vectorizer.transform(prepared.features);
  }

  /** Scores a question; `alpha` overrides the trained blend weight (for model selection). */
  score(prepared: PreparedText, alpha = this.alpha): ClassifierScores {
    const x = this.vectorize(prepared);
    const probs = this.model.predictProba(x);
    const sims = this.index.classSimilarities(x);
    const combined = new Float64Array(this.numClasses);
    for (let c = 0; c < this.numClasses; c++) combined[c] = alpha * probs[c]! + (1 - alpha) * sims[c]!;
    const words = prepared.tokens.words;
    const share = (known: Set<string>): number =>
      words.length === 0 ? 1 : words.filter((w) => !known.has(w)).length / words.length;
    return {
      combined,
      probs,
      sims,
      oovShare: share(this.allWords),
      unseenShare: (label) => share(this.classWords[label] ?? new Set()),
    };
  }

  toState(): FaqClassifierState {
    return {
      numClasses: this.numClasses,
      alpha: this.alpha,
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
    return new FaqClassifier(state.numClasses, state.alpha, vectorizer, model, examples);
  }
}
