/** Incremental assignment: places a new message in the closest topic of the last run, between periodic re-groupings. */
import { centroidCosine } from './stable-ids.ts';
import { stateIdf, TopicFeaturizer } from './topic-features.ts';
import type { TopicState } from './topic-types.ts';

/** Assigns messages to the topics of a saved state by centre similarity. */
export class TopicAssigner {
  private readonly centroids: Array<{ id: string; terms: Map<string, number> }>;

  constructor(
    private readonly state: TopicState,
    private readonly featurizer: TopicFeaturizer = new TopicFeaturizer(),
    private readonly threshold = 0.25,
  ) {
    this.centroids = state.topics.map((t) => ({ id: t.id, terms: new Map(t.centroid) }));
  }

  /** The id of the topic the text belongs to and how close it is, or null when no topic is close enough (a new need or noise). */
  assign(text: string): { topicId: string; similarity: number } | null {
    const { terms } = this.featurizer.prepare(text);
    const vector = new Map<string, number>();
    for (const [t, count] of terms) vector.set(t, (1 + Math.log(count)) * stateIdf(t, this.state.idf, this.state.documents));
    let best: { topicId: string; similarity: number } | null = null;
    for (const c of this.centroids) {
      const similarity = centroidCosine(vector, c.terms);
      if (similarity >= this.threshold && (!best || similarity > best.similarity)) best = { topicId: c.id, similarity };
    }
    return best;
  }
}
