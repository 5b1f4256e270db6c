/**
 * BM25 between a question and each class's profile: one document per class made of all its training
 * texts. Unlike the per-question scorers it rewards a long question for every part it shares with a
 * class, wherever in the class's questions and answer that part occurs.
 */

const K1 = 1.2;
const B = 0.75;

export interface ProfileScores {
  /** BM25 per class, divided by what a question made only of features every other class lacks would score (0-1). */
  coverage: Float64Array;
  /** `coverage` divided by the best class's coverage: 1 for the best class (all 0 when nothing matches). */
  relative: Float64Array;
  /** The best class's BM25 over K1 + 1: roughly the summed idf of the features it shares with the question. */
  evidence: number;
}

export class ClassProfileIndex {
  /** Feature -> its idf and its [class, BM25 term weight] pairs, flattened (one lookup per feature). */
  private readonly features = new Map<string, { idf: number; postings: Float64Array }>();
  /** The idf of a feature no class has: an unknown feature counts against coverage like the rarest one. */
  private readonly unknownIdf: number;

  constructor(
    documents: Iterable<{ features: ReadonlyMap<string, number>; label: number }>,
    private readonly numClasses: number,
  ) {
    const tf = Array.from({ length: numClasses }, () => new Map<string, number>());
    const length = new Float64Array(numClasses);
    for (const { features, label } of documents) {
      const counts = tf[label]!;
      for (const [f, n] of features) {
        counts.set(f, (counts.get(f) ?? 0) + n);
        length[label]! += n;
      }
    }
    const nonEmpty = length.filter((l) => l > 0).length || 1;
    const avgLength = length.reduce((s, l) => s + l, 0) / nonEmpty || 1;
    const lists = new Map<string, number[]>();
    tf.forEach((counts, c) => {
      const norm = K1 * (1 - B + (B * length[c]!) / avgLength);
      for (const [f, n] of counts) {
        let list = lists.get(f);
        if (!list) lists.set(f, (list = []));
        list.push(c, (n * (K1 + 1)) / (n + norm));
      }
    });
    for (const [f, list] of lists) {
      const df = list.length / 2;
      this.features.set(f, { idf: Math.log(1 + (numClasses - df + 0.5) / (df + 0.5)), postings: Float64Array.from(list) });
    }
    this.unknownIdf = Math.log(1 + (numClasses + 0.5) / 0.5);
  }

  /** Scores a question's features (each feature counted once). */
  score(features: ReadonlyMap<string, number>): ProfileScores {
    const coverage = new Float64Array(this.numClasses);
    let mass = 0;
    for (const f of features.keys()) {
      const known = this.features.get(f);
      if (!known) {
        mass += this.unknownIdf;
        continue;
      }
      const { idf, postings } = known;
      mass += idf;
      for (let k = 0; k < postings.length; k += 2) coverage[postings[k]!]! += idf * postings[k + 1]!;
    }
    let best = 0;
    for (let c = 0; c < this.numClasses; c++) if (coverage[c]! > best) best = coverage[c]!;
    const evidence = best / (K1 + 1);
    const relative = coverage.map((v) => (best > 0 ? v / best : 0));
    const scale = mass > 0 ? 1 / (mass * (K1 + 1)) : 0;
    for (let c = 0; c < this.numClasses; c++) coverage[c]! *= scale;
    return { coverage, relative, evidence };
  }
}
