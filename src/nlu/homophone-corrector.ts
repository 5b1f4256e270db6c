/**
 * Corrects homophone typos against the knowledge base's own words: citizens type by pinyin, so 役苗
 * for 疫苗, 上排 for 上牌, 专学 for 转学. A stretch of two to four characters is replaced only when the
 * segmenter left it as single characters (it is no word), it sounds like exactly one distinctive word
 * of the knowledge base (z/zh, c/ch, s/sh and n/ng counted alike), and shares a character with it.
 */
import { pinyin } from 'pinyin-pro';
import { isDictionaryWord, wordInformation } from './word-information.ts';

/** Only words at least this informative are targets: 疫苗 or 转学, never 现在 or 号码. */
const MIN_TARGET_INFORMATION = 11.5;
/** The most common characters (去, 不, 在) are typed on purpose, never replaced. */
const MIN_REPLACED_CHARACTER_INFORMATION = 6.5;

const HAN_RUN = /\p{Script=Han}+/gu;
const ONLY_HAN = /^\p{Script=Han}{2,4}$/u;

/** Toneless pinyin with the distinctions southern speakers blur removed. */
function looseSyllables(text: string): string[] {
  return pinyin(text, { toneType: 'none', type: 'array' }).map((s) => s.replace(/^([zcs])h/, '$1').replace(/ng$/, 'n'));
}

export class HomophoneCorrector {
  private readonly known: Set<string>;
  /** Loose pinyin of a word -> the word; null where two words sound alike (ambiguous). */
  private readonly bySound = new Map<string, string | null>();
  /** `length:position:character` of every target: a stretch sharing none of them cannot be corrected, so its pinyin is never computed. */
  private readonly placedChars = new Set<string>();

  /**
   * `words`: the words of the training texts (jieba output); `terms`: the knowledge base's keywords,
   * targets even when they are no everyday word (临牌).
   */
  constructor(words: Iterable<string>, terms: Iterable<string> = []) {
    this.known = new Set([...words].filter((w) => ONLY_HAN.test(w)));
    const targets = new Set([...terms].filter((w) => ONLY_HAN.test(w)));
    for (const word of words) {
      const chars = Array.from(word);
      for (let len = 2; len <= 4; len++) {
        for (let i = 0; i + len <= chars.length; i++) {
          const piece = chars.slice(i, i + len).join('');
          if (ONLY_HAN.test(piece) && isDictionaryWord(piece) && wordInformation(piece) >= MIN_TARGET_INFORMATION) targets.add(piece);
        }
      }
    }
    for (const word of targets) {
      this.known.add(word);
      const key = looseSyllables(word).join(' ');
      const seen = this.bySound.get(key);
      this.bySound.set(key, seen === undefined || seen === word ? word : null);
      const chars = Array.from(word);
      chars.forEach((ch, k) => this.placedChars.add(`${chars.length}:${k}:${ch}`));
    }
  }

  get vocabulary(): string[] {
    return [...this.known];
  }

  /** The text with homophone typos replaced; `cut` segments a run of Chinese characters into dictionary words and single characters. */
  correct(normalized: string, cut: (run: string) => string[]): string {
    if (this.bySound.size === 0) return normalized;
    return normalized.replace(HAN_RUN, (run) => (run.length < 2 ? run : this.correctRun(run, cut(run))));
  }

  private correctRun(run: string, words: string[]): string {
    const chars = Array.from(run);
    // Where a stretch may start and end: between words the segmenter found; inside a word, never.
    const boundary = new Set<number>([0]);
    const loose = new Set<number>();
    let at = 0;
    for (const w of words) {
      const length = Array.from(w).length;
      if (length === 1) loose.add(at);
      at += length;
      boundary.add(at);
    }
    if (at !== chars.length) return run;
    // Pinyin is the costly part: computed once for the whole run (polyphones read in context), and only when a stretch could be replaced.
    let sounds: string[] | null = null;
    const soundsOf = (): string[] => (sounds ??= looseSyllables(run));
    let out = '';
    let i = 0;
    while (i < chars.length) {
      const replaced = boundary.has(i) ? this.replacementAt(chars, soundsOf, i, boundary, loose) : null;
      if (replaced) {
        out += replaced.word;
        i += replaced.length;
      } else {
        out += chars[i];
        i++;
      }
    }
    return out;
  }

  private replacementAt(
    chars: string[],
    sounds: () => string[],
    i: number,
    boundary: ReadonlySet<number>,
    loose: ReadonlySet<number>,
  ): { word: string; length: number } | null {
    for (let len = 4; len >= 2; len--) {
      if (i + len > chars.length || !boundary.has(i + len)) continue;
      let free = true;
      for (let k = i; k < i + len; k++) free &&= loose.has(k);
      const piece = chars.slice(i, i + len).join('');
      if (!free || this.known.has(piece) || isDictionaryWord(piece)) continue;
      let placed = false;
      for (let k = 0; k < len && !placed; k++) placed = this.placedChars.has(`${len}:${k}:${chars[i + k]}`);
      if (!placed) continue;
      const target = this.bySound.get(sounds().slice(i, i + len).join(' '));
      if (!target) continue;
      const wanted = Array.from(target);
      const shares = wanted.some((ch, k) => ch === chars[i + k]);
      const replacesOnlyRare = wanted.every((ch, k) => ch === chars[i + k] || wordInformation(chars[i + k]!) >= MIN_REPLACED_CHARACTER_INFORMATION);
      if (shares && replacesOnlyRare) return { word: target, length: len };
    }
    return null;
  }
}
