/**
 * Retrieval of knowledge entries: one index of every question text and one of each entry's profile (per
 * language, its title and all its questions as one document). An entry ranks by a blend of the cosine of
 * its nearest question and of its profile.
 */
import type { Lang } from '../core/message.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/types.ts';
import type { FeatureSource } from './candidate-features.ts';
import { knowledgeVocabulary, vocabularyKey } from './knowledge-vocabulary.ts';
import { packArrays, PackedArrays } from './packed-arrays.ts';
import { nearestSiblingCosines, RetrievalIndex, RetrievalIndexBuilder, sublinearTf } from './retrieval-index.ts';
import { hashTerm } from './term-hash.ts';
import { TextTerms } from './text-terms.ts';

/** The share of the profile cosine in an entry's score; the nearest question's cosine has the rest. */
export const RANK_WEIGHT = 0.8;

const LANGS: readonly Lang[] = ['zh', 'en'];

export interface EntryCandidate {
  entry: KnowledgeEntry;
  /** The entry's position in the knowledge base. */
  index: number;
  /** (1 - RANK_WEIGHT) x question + RANK_WEIGHT x profile. */
  score: number;
  /** Cosine of the nearest question of the entry (0 when none is among the nearest questions). */
  question: number;
  /** Cosine of the entry's profile (0 when it is not among the nearest profiles). */
  profile: number;
  /** How close the entry's own questions are to each other: the mean of each one's cosine with its nearest sibling. */
  radius: number;
  /** The mean cosine of the entry's questions with its profile made without them. */
  profileRadius: number;
}

export interface RetrieveOptions {
  /** Entries (by position in the knowledge base) never to return. */
  hidden?: (entryIndex: number) => boolean;
  /** Weigh the query's terms by this index's idf (an overlay's base), so that scores compare with its own. */
  idfFrom?: EntryIndex;
}

export interface EntryIndexBuildOptions {
  /** The normaliser and segmenter (by default textTermsFor(kb); an overlay takes its whole knowledge base's). */
  textTerms?: TextTerms;
  /** An index whose idf the new one takes (an overlay's base), so that their cosines compare. */
  idfFrom?: EntryIndex;
}

/** The last TextTerms made by textTermsFor, by the key of its words: a reload with the same words reuses it. */
let lastTextTerms: { key: number; textTerms: TextTerms } | null = null;

/**
 * The normaliser and segmenter for a knowledge base: its synonyms, and its keywords as jieba words. The same
 * words give the same (read-only) instance, as a new one costs a dictionary load (about 0.1 s).
 */
export function textTermsFor(kb: KnowledgeBase): TextTerms {
  const vocabulary = knowledgeVocabulary(kb);
  const key = vocabularyKey(vocabulary);
  if (lastTextTerms?.key !== key) lastTextTerms = { key, textTerms: new TextTerms(vocabulary) };
  return lastTextTerms.textTerms;
}

export class EntryIndex {
  /** The first profile document of each entry, and one past the last entry's (documents are in entry order). */
  private profileStarts: Uint32Array | null = null;

  private constructor(
    private readonly kb: KnowledgeBase,
    readonly textTerms: TextTerms,
    readonly questions: RetrievalIndex,
    readonly profiles: RetrievalIndex,
    /** The entry of each question document. */
    private readonly questionEntry: Uint32Array,
    /** The entry of each profile document. */
    private readonly profileEntry: Uint32Array,
    /** Each entry's radius (see EntryCandidate.radius); entries with one question get the base's median. */
    readonly radii: Float32Array,
    /** Each entry's profile radius (see EntryCandidate.profileRadius). */
    readonly profileRadii: Float32Array,
  ) {}

  static build(kb: KnowledgeBase, options: EntryIndexBuildOptions = {}): EntryIndex {
    const textTerms = options.textTerms ?? textTermsFor(kb);
    const questions = new RetrievalIndexBuilder();
    const profiles = new RetrievalIndexBuilder();
    const questionEntry: number[] = [];
    const questionProfile: number[] = [];
    const profileEntry: number[] = [];
    kb.entries.forEach((entry, index) => {
      for (const lang of LANGS) {
        const texts = entry.questions[lang] ?? [];
        const title = entry.title[lang];
        if (texts.length === 0 && !title) continue;
        // The profile's counts are the sum of its texts' counts: each text is segmented once.
        const profile = title ? textTerms.terms(title) : new Map<number, number>();
        for (const text of texts) {
          const terms = textTerms.terms(text);
          questions.add(terms);
          questionEntry.push(index);
          questionProfile.push(profileEntry.length);
          for (const [hash, count] of terms) profile.set(hash, (profile.get(hash) ?? 0) + count);
        }
        profiles.add(profile);
        profileEntry.push(index);
      }
    });
    const base = options.idfFrom;
    const questionIndex = questions.build({ idfFrom: base?.questions });
    const profileIndex = profiles.build({ idfFrom: base?.profiles });
    const ofQuestion = Uint32Array.from(questionEntry);
    const count = kb.entries.length;
    return new EntryIndex(
      kb,
      textTerms,
      questionIndex,
      profileIndex,
      ofQuestion,
      Uint32Array.from(profileEntry),
      entryRadii(nearestSiblingCosines(questions, questionIndex, ofQuestion), ofQuestion, count, base?.radii),
      entryRadii(leaveOneOutProfileCosines(questions, profiles, profileIndex, Uint32Array.from(questionProfile)), ofQuestion, count, base?.profileRadii),
    );
  }

  /** Whether any profile of the entry (at `index` in the knowledge base) holds the term. */
  entryHolds(index: number, hash: number): boolean {
    const profiles = (this.profileStarts ??= startsOf(this.profileEntry, this.kb.entries.length));
    for (let d = profiles[index]!; d < profiles[index + 1]!; d++) if (this.profiles.holds(d, hash)) return true;
    return false;
  }

  /** What the decision's features read of this index: the profiles' term statistics, and each entry's terms. */
  featureSource(): FeatureSource {
    return {
      docCount: this.profiles.docCount,
      idfOf: (h) => this.profiles.idfOf(h),
      docFrequency: (h) => this.profiles.docFrequency(h),
      holds: (c, h) => this.entryHolds(c.index, h),
    };
  }

  /** The k entries that best match the text, best first. */
  retrieve(text: string, k = 5, options: RetrieveOptions = {}): EntryCandidate[] {
    return this.retrieveTerms(this.textTerms.terms(text), k, options);
  }

  /** As retrieve, for text already turned into terms by `textTerms`. */
  retrieveTerms(terms: ReadonlyMap<number, number>, k = 5, options: RetrieveOptions = {}): EntryCandidate[] {
    const pool = Math.max(4 * k, 32);
    const groups = { count: this.kb.entries.length };
    const hidden = options.hidden;
    const base = options.idfFrom;
    const byQuestion = this.questions.search(terms, pool, {
      groups: { ...groups, of: this.questionEntry },
      hidden: hidden && ((d) => hidden(this.questionEntry[d]!)),
      queryIdf: base && ((h) => base.questions.idfOf(h)),
    });
    const byProfile = this.profiles.search(terms, pool, {
      groups: { ...groups, of: this.profileEntry },
      // One profile per entry and language: twice the pool covers the candidates without reading hundreds.
      rescore: 2 * pool,
      hidden: hidden && ((d) => hidden(this.profileEntry[d]!)),
      queryIdf: base && ((h) => base.profiles.idfOf(h)),
    });
    const found = new Map<number, { question: number; profile: number }>();
    for (const hit of byQuestion) found.set(hit.id, { question: hit.score, profile: 0 });
    for (const hit of byProfile) {
      const seen = found.get(hit.id);
      if (seen) seen.profile = hit.score;
      else found.set(hit.id, { question: 0, profile: hit.score });
    }
    return [...found]
      .map(([index, { question, profile }]) => ({
        entry: this.kb.entries[index]!,
        index,
        score: (1 - RANK_WEIGHT) * question + RANK_WEIGHT * profile,
        question,
        profile,
        radius: this.radii[index]!,
        profileRadius: this.profileRadii[index]!,
      }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, k);
  }

  /** Both indexes and the document-to-entry maps as one buffer (a SharedArrayBuffer when `shared`). */
  toBuffer(options: { shared?: boolean } = {}): ArrayBuffer | SharedArrayBuffer {
    return packArrays(
      {
        'entries.meta': new Uint32Array([this.kb.entries.length, entriesHash(this.kb)]),
        'entries.ofQuestion': this.questionEntry,
        'entries.ofProfile': this.profileEntry,
        'entries.radii': this.radii,
        'entries.profileRadii': this.profileRadii,
        ...this.questions.toArrays('questions.'),
        ...this.profiles.toArrays('profiles.'),
      },
      options,
    );
  }

  /** The index of `kb` from a buffer made by toBuffer (the postings are views into it, not copies). */
  static fromBuffer(buffer: ArrayBuffer | SharedArrayBuffer, kb: KnowledgeBase): EntryIndex {
    const packed = PackedArrays.unpack(buffer);
    const [count, hash] = packed.uint32('entries.meta');
    if (count !== kb.entries.length || hash !== entriesHash(kb)) throw new Error('the packed entry index was built from another knowledge base');
    return new EntryIndex(
      kb,
      textTermsFor(kb),
      RetrievalIndex.fromArrays(packed, 'questions.'),
      RetrievalIndex.fromArrays(packed, 'profiles.'),
      packed.uint32('entries.ofQuestion'),
      packed.uint32('entries.ofProfile'),
      packed.float32('entries.radii'),
      packed.float32('entries.profileRadii'),
    );
  }
}

/**
 * Each entry's mean nearest-sibling cosine over its questions; an entry with a single question gets the median
 * of the others (or of `fallback`, an overlay's base, when it has them).
 */
function entryRadii(nearest: Float32Array, entryOf: Uint32Array, entries: number, fallback?: Float32Array): Float32Array {
  const sums = new Float64Array(entries);
  const counts = new Uint32Array(entries);
  nearest.forEach((c, d) => {
    if (Number.isNaN(c)) return;
    sums[entryOf[d]!]! += c;
    counts[entryOf[d]!]!++;
  });
  const radii = new Float32Array(entries);
  const known: number[] = [];
  for (let e = 0; e < entries; e++) {
    radii[e] = counts[e]! > 0 ? sums[e]! / counts[e]! : Number.NaN;
    if (counts[e]! > 0) known.push(radii[e]!);
  }
  const pool = known.length > 0 || !fallback ? known : [...fallback].filter((r) => !Number.isNaN(r));
  const median = pool.length > 0 ? pool.sort((a, b) => a - b)[pool.length >> 1]! : 0.5;
  for (let e = 0; e < entries; e++) if (Number.isNaN(radii[e]!)) radii[e] = median;
  return radii;
}

/** Each question's cosine with its profile less its own counts (`profileOf`: ascending, a profile's questions consecutive). */
function leaveOneOutProfileCosines(
  questions: RetrievalIndexBuilder,
  profiles: RetrievalIndexBuilder,
  profileIndex: RetrievalIndex,
  profileOf: Uint32Array,
): Float32Array {
  const q = questions.documents();
  const p = profiles.documents();
  const cosines = new Float32Array(profileOf.length);
  let current = -1;
  let counts = new Map<number, number>();
  let norm2 = 0;
  const idf = new Map<number, number>();
  const idfOf = (h: number): number => {
    let v = idf.get(h);
    if (v === undefined) idf.set(h, (v = profileIndex.idfOf(h)));
    return v;
  };
  for (let d = 0; d < profileOf.length; d++) {
    if (profileOf[d] !== current) {
      current = profileOf[d]!;
      counts = new Map();
      norm2 = 0;
      for (let i = current === 0 ? 0 : p.docEnds[current - 1]!; i < p.docEnds[current]!; i++) {
        counts.set(p.hashes[i]!, p.counts[i]!);
        norm2 += (sublinearTf(p.counts[i]!) * idfOf(p.hashes[i]!)) ** 2;
      }
    }
    let dot = 0;
    let own2 = 0;
    let loo2 = norm2;
    for (let i = d === 0 ? 0 : q.docEnds[d - 1]!; i < q.docEnds[d]!; i++) {
      const h = q.hashes[i]!;
      const w = idfOf(h);
      const full = counts.get(h) ?? 0;
      const rest = Math.max(0, full - q.counts[i]!);
      const restWeight = rest > 1e-6 ? sublinearTf(rest) * w : 0;
      loo2 += restWeight ** 2 - (sublinearTf(full) * w) ** 2;
      const own = sublinearTf(q.counts[i]!) * w;
      own2 += own * own;
      dot += own * restWeight;
    }
    cosines[d] = loo2 > 1e-12 && own2 > 0 ? dot / Math.sqrt(own2 * loo2) : Number.NaN;
  }
  return cosines;
}

/** Where each group's documents start in `of` (ascending group of each document), with the end last. */
function startsOf(of: Uint32Array, groups: number): Uint32Array {
  const starts = new Uint32Array(groups + 1);
  for (const g of of) starts[g + 1]!++;
  for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
  return starts;
}

/** A hash of the entries' ids in order: a buffer is only read with the knowledge base it was built from. */
function entriesHash(kb: KnowledgeBase): number {
  let h: number | undefined;
  for (const e of kb.entries) h = hashTerm(`${e.id}\n`, h);
  return h ?? hashTerm('');
}
