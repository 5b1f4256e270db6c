/**
 * How much a word says, from its frequency in general Chinese (jieba's dictionary): "怎么" and "办理" say
 * little, "物业" or "乱收费" a lot. A question whose informative words the chosen entry never saw is
 * probably about something else, even when its common words match.
 */
import { dict } from '@node-rs/jieba/dict.js';
import { WordTable } from './word-table.ts';

/** Words rarer than this in the dictionary count as unknown (the most informative). */
const MIN_COUNT = 5;
/** Information of a non-Chinese word (English words reach here stemmed, stop words already removed). */
const LATIN_WORD_INFORMATION = 11;
const DIGITS_INFORMATION = 8;
const HAN = /\p{Script=Han}/u;

let table: { counts: WordTable; logTotal: number } | null = null;

function load(): { counts: WordTable; logTotal: number } {
  if (table) return table;
  const counts: Array<[string, number]> = [];
  let total = 0;
  for (const line of Buffer.from(dict).toString('utf8').split('\n')) {
    const [word, count] = line.split(' ');
    const n = Number(count);
    if (!word || !(n >= MIN_COUNT)) continue;
    counts.push([word, n]);
    total += n;
  }
  table = { counts: new WordTable(counts), logTotal: Math.log(total) };
  return table;
}

/** True for a word of general Chinese (in jieba's dictionary at least a few times). */
export function isDictionaryWord(word: string): boolean {
  return load().counts.has(word);
}

/** Information content (-log frequency) of a word in nats; unknown Chinese words get the maximum. */
export function wordInformation(word: string): number {
  if (!HAN.test(word)) return /^\d+$/.test(word) ? DIGITS_INFORMATION : LATIN_WORD_INFORMATION;
  const { counts, logTotal } = load();
  const n = counts.get(word);
  return logTotal - Math.log(n ?? MIN_COUNT - 1);
}
