/** What a topic shows: key words and label, representative questions, time span, channels, departments and kind. */
import { StemmerEn } from '@nlpjs/lang-en-min';
import { detectLanguage } from '../nlu/language.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { isDictionaryWord } from './topic-features.ts';
import { classifyKind, topicKind } from './topic-kind.ts';
import type { DemandMessage, TopicKind } from './topic-types.ts';

const stemmer = new StemmerEn();
const LATIN_WORD = /[\p{L}\p{N}]+/gu;

/** Key words from a topic's centre (term → weight; texts give English words their written form): words first, a Han bigram only when no chosen word contains it. */
export function topicKeywords(centroid: ReadonlyMap<string, number>, normalizedTexts: () => readonly string[], limit = 6): string[] {
  const ranked = [...centroid].sort((a, b) => b[1] - a[1]);
  const latin = ranked.slice(0, limit * 2).some(([t]) => t.startsWith('w:') && !/\p{Script=Han}/u.test(t));
  const surface = latin ? latinSurfaces(normalizedTexts()) : new Map<string, string>();
  const chosen: string[] = [];
  for (const pass of ['w:', 'c:']) {
    for (const [term] of ranked) {
      if (chosen.length >= limit) break;
      if (!term.startsWith(pass) || (pass === 'c:' && !isDictionaryWord(term.slice(2)))) continue;
      const word = surface.get(term.slice(2)) ?? term.slice(2);
      if (chosen.some((c) => c.includes(word) || word.includes(c))) continue;
      chosen.push(word);
    }
  }
  const order = new Map(ranked.map(([t], i) => [t.slice(2), i]));
  return chosen.sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
}

/** The most common written form of each English stem in the texts, so key words read as words. */
function latinSurfaces(texts: readonly string[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const text of texts) {
    for (const [w] of text.matchAll(LATIN_WORD)) {
      if (/^\d+$/.test(w) || w.length <= 3) continue;
      const stem = stemmer.stemWord(w);
      const forms = counts.get(stem) ?? new Map<string, number>();
      forms.set(w, (forms.get(w) ?? 0) + 1);
      counts.set(stem, forms);
    }
  }
  const result = new Map<string, string>();
  for (const [stem, forms] of counts) result.set(stem, [...forms].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length)[0]![0]);
  return result;
}

const HAN = /\p{Script=Han}/u;

/** A short label: the three strongest key words, those in the topic's language first (an English topic gets an English label). */
export function topicLabel(keywords: readonly string[], lang: 'zh' | 'en' = 'zh'): string {
  const own = keywords.filter((w) => HAN.test(w) === (lang === 'zh'));
  const words = (own.length > 0 ? own : keywords).slice(0, 3);
  return words.every((w) => HAN.test(w)) ? words.join('、') : words.join(' / ');
}

/** The language most of the texts are written in, each counted `weight` times (Chinese on a tie). */
export function dominantLanguage(texts: ReadonlyArray<{ text: string; weight: number }>): 'zh' | 'en' {
  let en = 0;
  let zh = 0;
  for (const { text, weight } of texts) {
    if (detectLanguage(text, 'zh') === 'en') en += weight;
    else zh += weight;
  }
  return en > zh ? 'en' : 'zh';
}

/** Masked text, shortened to `max` characters. */
export function representativeText(text: string, max = 200): string {
  const masked = maskPersonalData(text).replace(/\s+/g, ' ').trim();
  const chars = Array.from(masked);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : masked;
}

/** Earliest and latest time among the messages. */
export function timeSpan(messages: readonly DemandMessage[]): { firstSeen: Date | null; lastSeen: Date | null } {
  let first: Date | null = null;
  let last: Date | null = null;
  for (const m of messages) {
    if (!m.time) continue;
    if (!first || m.time < first) first = m.time;
    if (!last || m.time > last) last = m.time;
  }
  return { firstSeen: first, lastSeen: last };
}

/** Channels by number of messages. */
export function channelCounts(messages: readonly DemandMessage[]): Array<{ channel: string; count: number }> {
  const counts = new Map<string, number>();
  for (const m of messages) if (m.channel) counts.set(m.channel, (counts.get(m.channel) ?? 0) + 1);
  return [...counts].map(([channel, count]) => ({ channel, count })).sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel));
}

/** How much more a resolved escalation counts than the knowledge base's guess, for one message. */
const RESOLVED_WEIGHT = 2;

/**
 * The departments a topic most likely belongs to (up to 3): the department named on a message, else the departments of
 * its knowledge-base candidates weighted by score combined with the department where a person resolved the
 * conversation's escalation (which counts double); shares are of the messages that point to any department.
 */
export function likelyDepartments(
  messages: readonly DemandMessage[],
  departmentOf?: (entryId: string) => string | undefined,
): Array<{ department: string; share: number; resolved?: number }> {
  const weight = new Map<string, number>();
  const resolved = new Map<string, number>();
  let total = 0;
  for (const m of messages) {
    const votes = new Map<string, number>();
    if (m.department) votes.set(m.department, 1);
    else {
      const kb = new Map<string, number>();
      if (departmentOf) {
        for (const c of (m.candidates ?? []).slice(0, 3)) {
          const d = departmentOf(c.entryId);
          if (d && c.score > 0) kb.set(d, (kb.get(d) ?? 0) + c.score);
        }
      }
      const kbSum = [...kb.values()].reduce((a, b) => a + b, 0);
      for (const [d, v] of kb) votes.set(d, v / kbSum);
      if (m.resolvedDepartment) {
        votes.set(m.resolvedDepartment, (votes.get(m.resolvedDepartment) ?? 0) + RESOLVED_WEIGHT);
        resolved.set(m.resolvedDepartment, (resolved.get(m.resolvedDepartment) ?? 0) + 1);
      }
    }
    const sum = [...votes.values()].reduce((a, b) => a + b, 0);
    if (sum <= 0) continue;
    total++;
    for (const [d, v] of votes) weight.set(d, (weight.get(d) ?? 0) + v / sum);
  }
  return [...weight]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([department, w]) => ({
      department,
      share: Math.round((w / total) * 1000) / 1000,
      ...(resolved.has(department) ? { resolved: resolved.get(department)! } : {}),
    }));
}

/** The kind of a topic from its members' texts, each counted `weight` times (near-identical texts are classified once). */
export function kindOfMessages(texts: ReadonlyArray<{ text: string; normalized?: string; weight: number }>): TopicKind {
  const counts = new Map<TopicKind, number>();
  for (const { text, normalized, weight } of texts) {
    const k = classifyKind(text, normalized);
    counts.set(k, (counts.get(k) ?? 0) + weight);
  }
  return topicKind(counts);
}
