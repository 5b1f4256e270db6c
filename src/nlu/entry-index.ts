/**
 * Retrieval of knowledge entries: one index of every question text and one of each entry's profile (per
 * language, its title and all its questions as one document). An entry ranks by a blend of the cosine of
 * its nearest question and of its profile.
 */
import type { Lang } from '../core/message.ts';
import type { KnowledgeBase, KnowledgeEntry } from '../knowledge/types.ts';
import { knowledgeVocabulary } from './knowledge-vocabulary.ts';
import { packArrays, PackedArrays } from './packed-arrays.ts';
import { RetrievalIndex, RetrievalIndexBuilder } from './retrieval-index.ts';
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

/** The normaliser and segmenter for a knowledge base: its synonyms, and its keywords as jieba words. */
export function textTermsFor(kb: KnowledgeBase): TextTerms {
  return new TextTerms(knowledgeVocabulary(kb));
}

export class EntryIndex {
  private constructor(
    private readonly kb: KnowledgeBase,
    readonly textTerms: TextTerms,
    readonly questions: RetrievalIndex,
    readonly profiles: RetrievalIndex,
    /** The entry of each question document. */
    private readonly questionEntry: Uint32Array,
    /** The entry of each profile document. */
    private readonly profileEntry: Uint32Array,
  ) {}

  static build(kb: KnowledgeBase, options: EntryIndexBuildOptions = {}): EntryIndex {
    const textTerms = options.textTerms ?? textTermsFor(kb);
    const questions = new RetrievalIndexBuilder();
    const profiles = new RetrievalIndexBuilder();
    const questionEntry: number[] = [];
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
          for (const [hash, count] of terms) profile.set(hash, (profile.get(hash) ?? 0) + count);
        }
        profiles.add(profile);
        profileEntry.push(index);
      }
    });
    const base = options.idfFrom;
    return new EntryIndex(
      kb,
      textTerms,
      questions.build({ idfFrom: base?.questions }),
      profiles.build({ idfFrom: base?.profiles }),
      Uint32Array.from(questionEntry),
      Uint32Array.from(profileEntry),
    );
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
    );
  }
}

/** A hash of the entries' ids in order: a buffer is only read with the knowledge base it was built from. */
function entriesHash(kb: KnowledgeBase): number {
  let h: number | undefined;
  for (const e of kb.entries) h = hashTerm(`${e.id}\n`, h);
  return h ?? hashTerm('');
}
