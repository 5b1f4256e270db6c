/**
 * Live edits of the knowledge base without a full rebuild: an immutable base EntryIndex (possibly mapped
 * from a shared buffer) plus a small overlay EntryIndex of the entries published or edited since, built with
 * the base's idf so that both score on one scale, and the base entries hidden because they were edited or
 * retired. Each engine thread applies a new knowledge base to its own LiveEntryIndex over the shared base.
 *
 * Segmentation: queries and the overlay use the new knowledge base's TextTerms (its synonyms and keywords),
 * but the base's documents stay segmented with the words the base was built with; a synonym or keyword added
 * since only reaches the base's entries at the next full rebuild.
 */
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/types.ts';
import type { FeatureSource } from './candidate-features.ts';
import { EntryIndex, type EntryCandidate } from './entry-index.ts';
import { knowledgeVocabulary, vocabularyKey } from './knowledge-vocabulary.ts';
import { hashTerm } from './term-hash.ts';
import { TextTerms } from './text-terms.ts';

/**
 * Past this share of changed entries (published, edited or retired since the base was built) a full rebuild
 * in the background is due: the overlay grows, and the base's idf and segmentation drift from the content.
 */
export const REBUILD_SHARE = 0.05;

/** The base index and what the diff needs of its knowledge base. */
interface Base {
  index: EntryIndex;
  kb: KnowledgeBase;
  /** Base entry position by id. */
  positions: Map<string, number>;
  /** Content hash of each base entry (see contentHash). */
  hashes: Uint32Array;
}

/** A knowledge base's TextTerms, keyed by a hash of the words it was taught. */
interface Vocabulary {
  key: number;
  textTerms: TextTerms;
}

export class LiveEntryIndex {
  private constructor(
    private readonly base: Base,
    /** The knowledge base served: candidates are its entries, at its positions. */
    readonly kb: KnowledgeBase,
    private readonly vocabulary: Vocabulary,
    /** The changed and new entries, or null when there are none. */
    private readonly overlay: EntryIndex | null,
    /** The position in `kb` of each overlay entry. */
    private readonly overlayToKb: Uint32Array,
    /** The position in `kb` of each base entry, -1 when it is hidden (edited or retired). */
    private readonly baseToKb: Int32Array,
    /** Entries published, edited or retired since the base was built. */
    readonly changedCount: number,
  ) {
    this.kbToBase = new Int32Array(kb.entries.length).fill(-1);
    baseToKb.forEach((at, b) => {
      if (at >= 0) this.kbToBase[at] = b;
    });
    this.kbToOverlay = new Int32Array(kb.entries.length).fill(-1);
    overlayToKb.forEach((at, o) => (this.kbToOverlay[at] = o));
  }

  /** The base position of each entry of `kb`, -1 for an overlay entry. */
  private readonly kbToBase: Int32Array;
  /** The overlay position of each entry of `kb`, -1 for a base entry. */
  private readonly kbToOverlay: Int32Array;

  /** Serves `baseKb` from its index, with nothing changed yet. */
  static over(base: EntryIndex, baseKb: KnowledgeBase): LiveEntryIndex {
    const positions = new Map(baseKb.entries.map((e, i) => [e.id, i]));
    const hashes = Uint32Array.from(baseKb.entries, contentHash);
    const baseState: Base = { index: base, kb: baseKb, positions, hashes };
    const vocabulary = { key: vocabularyKey(knowledgeVocabulary(baseKb)), textTerms: base.textTerms };
    return new LiveEntryIndex(baseState, baseKb, vocabulary, null, new Uint32Array(0), Int32Array.from(baseKb.entries, (_, i) => i), 0);
  }

  /** The index for `kb`: entries unchanged since the base are served by it, the others by a new overlay. */
  apply(kb: KnowledgeBase): LiveEntryIndex {
    const { base } = this;
    const baseToKb = new Int32Array(base.kb.entries.length).fill(-1);
    const changed: KnowledgeEntry[] = [];
    const overlayToKb: number[] = [];
    kb.entries.forEach((entry, i) => {
      const at = base.positions.get(entry.id);
      if (at !== undefined && baseToKb[at] === -1 && base.hashes[at] === contentHash(entry)) {
        baseToKb[at] = i;
        return;
      }
      changed.push(entry);
      overlayToKb.push(i);
    });
    let retired = 0;
    const ids = new Set(kb.entries.map((e) => e.id));
    for (const e of base.kb.entries) if (!ids.has(e.id)) retired++;

    const words = knowledgeVocabulary(kb);
    const key = vocabularyKey(words);
    // A new jieba instance costs a dictionary load: only when the words taught change.
    const vocabulary = key === this.vocabulary.key ? this.vocabulary : { key, textTerms: new TextTerms(words) };
    const overlay =
      changed.length > 0
        ? EntryIndex.build({ entries: changed, departments: kb.departments, hash: `${kb.hash}:overlay` }, { textTerms: vocabulary.textTerms, idfFrom: base.index })
        : null;
    return new LiveEntryIndex(base, kb, vocabulary, overlay, Uint32Array.from(overlayToKb), baseToKb, changed.length + retired);
  }

  /** Changed entries (published, edited or retired since the base) over the entries served; see REBUILD_SHARE. */
  get changedShare(): number {
    return this.changedCount / Math.max(1, this.kb.entries.length);
  }

  /** The normaliser and segmenter of the knowledge base served. */
  get textTerms(): TextTerms {
    return this.vocabulary.textTerms;
  }

  /** The k entries of `kb` that best match the text, best first, from the base and the overlay. */
  retrieve(text: string, k = 5): EntryCandidate[] {
    return this.retrieveTerms(this.vocabulary.textTerms.terms(text), k);
  }

  /** As `retrieve`, for terms already made from the text. */
  retrieveTerms(terms: ReadonlyMap<number, number>, k = 5): EntryCandidate[] {
    const { baseToKb, overlayToKb, kb } = this;
    const fromBase = this.base.index.retrieveTerms(terms, k, { hidden: (e) => baseToKb[e]! < 0 }).map((c) => ({ ...c, index: baseToKb[c.index]! }));
    const fromOverlay = this.overlay ? this.overlay.retrieveTerms(terms, k, { idfFrom: this.base.index }).map((c) => ({ ...c, index: overlayToKb[c.index]! })) : [];
    return [...fromBase, ...fromOverlay]
      .map((c) => ({ ...c, entry: kb.entries[c.index]! }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, k);
  }

  /** What the decision's features read: term statistics of the base, each entry's own terms where it lives. */
  featureSource(): FeatureSource {
    const { index } = this.base;
    return {
      ...index.featureSource(),
      holds: (c, h) => {
        const b = this.kbToBase[c.index]!;
        return b >= 0 ? index.entryHolds(b, h) : this.overlay!.entryHolds(this.kbToOverlay[c.index]!, h);
      },
    };
  }
}

/** A hash of what retrieval reads of an entry: its questions, title, synonyms and keywords. */
function contentHash(entry: KnowledgeEntry): number {
  return hashTerm(JSON.stringify([entry.questions, entry.title, entry.synonyms, entry.keywords]));
}
