/** What a knowledge base teaches the text pipeline: its synonyms (merged across entries), and its keywords and canonical words for jieba. */
import type { KnowledgeBase } from '../knowledge/types.ts';
import { hashTerm } from './term-hash.ts';

export function knowledgeVocabulary(kb: KnowledgeBase): { synonyms: Map<string, string[]>; userWords: Set<string> } {
  const synonyms = new Map<string, string[]>();
  const userWords = new Set<string>();
  for (const e of kb.entries) {
    for (const [canonical, variants] of Object.entries(e.synonyms)) {
      synonyms.set(canonical, [...new Set([...(synonyms.get(canonical) ?? []), ...variants])]);
      userWords.add(canonical);
    }
    for (const k of e.keywords) userWords.add(k);
  }
  return { synonyms, userWords };
}

/** A hash of the words a knowledge base teaches the text pipeline, whatever the order of its entries. */
export function vocabularyKey({ synonyms, userWords }: ReturnType<typeof knowledgeVocabulary>): number {
  const sortedSynonyms = [...synonyms].map(([canonical, variants]) => `${canonical}=${[...variants].sort().join('|')}`).sort();
  return hashTerm(JSON.stringify([[...userWords].sort(), sortedSynonyms]));
}
