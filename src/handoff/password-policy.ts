/**
 * The password rules for staff accounts, one function for `staff add`, the console's forms, a password
 * change and an administrator's reset: 10-200 characters, not digits alone, and a zxcvbn score of at
 * least 3 ("safely unguessable: moderate protection from offline slow-hash attacks", about 10^8
 * guesses) against zxcvbn's common and English lists plus Chinese ones (chinese-passwords.ts), with the
 * account's own login and display name (and its pinyin) counted as guessable words.
 */
import type { FeedbackType, ZxcvbnFactory } from '@zxcvbn-ts/core';
import { pinyin } from 'pinyin-pro';
import { CHINESE_DICTIONARIES } from './chinese-passwords.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;
/** zxcvbn scores 0-4; 3 and up is accepted. */
export const MIN_PASSWORD_SCORE = 3;
/** zxcvbn scores the first 64 characters; a password that long is strong or weak by then. */
const CHECKED_LENGTH = 64;

/** Why a password is refused, in English (API, CLI, logs) and Chinese (the console). */
export interface PasswordProblem {
  code: 'too_short' | 'too_long' | 'digits_only' | 'weak';
  message: string;
  messageZh: string;
}

/** Whose password it is: their words are the first an attacker tries. */
export interface PasswordOwner {
  name?: string;
  displayName?: string;
}

/** zxcvbn's warnings (it answers with keys when given no translations) in Chinese. */
const ZH_WARNINGS: Record<string, string> = {
  straightRow: '键盘上连成一排的按键很容易被猜到。',
  keyPattern: '简短的键盘图案很容易被猜到。',
  simpleRepeat: '重复的字符（如“aaa”）很容易被猜到。',
  extendedRepeat: '重复的字符组合（如“abcabcabc”）很容易被猜到。',
  sequences: '常见的字符序列（如“abc”“123”）很容易被猜到。',
  recentYears: '最近的年份很容易被猜到。',
  dates: '日期很容易被猜到。',
  topTen: '这是最常被使用的密码之一。',
  topHundred: '这是非常常用的密码。',
  common: '这是常用密码。',
  similarToCommon: '这与常用密码相似。',
  wordByItself: '单个词语很容易被猜到。',
  namesByThemselves: '单独的姓名或姓氏很容易被猜到。',
  commonNames: '常见的姓名和姓氏很容易被猜到。',
  userInputs: '不要使用用户名、姓名等个人信息。',
  pwned: '该密码已在网上泄露。',
};

/** zxcvbn's suggestions in Chinese. */
const ZH_SUGGESTIONS: Record<string, string> = {
  l33t: '不要用“@”代替“a”这类容易预测的替换。',
  reverseWords: '不要把常用词倒过来写。',
  allUppercase: '只把部分字母大写，而不是全部。',
  capitalization: '不要只把首字母大写。',
  dates: '避免使用与您相关的日期和年份。',
  recentYears: '避免使用最近的年份。',
  associatedYears: '避免使用与您相关的年份。',
  sequences: '避免常见的字符序列。',
  repeated: '避免重复的词语和字符。',
  longerKeyboardPattern: '使用更长、多次改变方向的键盘图案。',
  anotherWord: '再加几个不常见的词语。',
  useWords: '使用多个词语，但避免常见短语。',
  noNeed: '不用符号、数字或大写字母也能设出强密码。',
  pwned: '如果其他地方也用了这个密码，请一并修改。',
};

/** zxcvbn's warning and suggestions in one sentence or a few. */
function explain(feedback: FeedbackType, warnings: Record<string, string>, suggestions: Record<string, string>, separator: string): string {
  const texts = [feedback.warning ? (warnings[feedback.warning] ?? feedback.warning) : null, ...feedback.suggestions.map((k) => suggestions[k] ?? k)];
  return texts.filter((t): t is string => t !== null).join(separator);
}

/** zxcvbn with its dictionaries, and its English texts for the warnings and suggestions. */
interface Checker {
  factory: ZxcvbnFactory;
  enWarnings: Record<string, string>;
  enSuggestions: Record<string, string>;
}

let checker: Promise<Checker> | undefined;

/**
 * Imported and built on first use: the word lists are about 30 MB of strings that `huiying serve` need not
 * hold (nor spend a moment loading) until someone sets a password.
 */
function zxcvbn(): Promise<Checker> {
  checker ??= buildChecker();
  return checker;
}

async function buildChecker(): Promise<Checker> {
  const [{ ZxcvbnFactory }, common, english] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
  const factory = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary, ...CHINESE_DICTIONARIES },
    graphs: common.adjacencyGraphs,
    // Matching grows steeply with length and with l33t variants (seconds for a random 64-character
    // password with the defaults): the first 64 characters decide, with at most 6 l33t substitutions
    // ("p@ssw0rd" has 2), which keeps the worst case near a tenth of a second.
    maxLength: CHECKED_LENGTH,
    l33tMaxSubstitutions: 6,
  });
  return { factory, enWarnings: english.translations.warnings as Record<string, string>, enSuggestions: english.translations.suggestions as Record<string, string> };
}

/** The owner's login (and its parts), display name, and the display name's pinyin (李明 → liming, li, ming). */
function ownerWords(owner: PasswordOwner): string[] {
  const words = new Set<string>();
  for (const value of [owner.name, owner.displayName]) {
    if (!value) continue;
    words.add(value.toLowerCase());
    for (const part of value.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (part.length >= 2) words.add(part);
    if (/\p{Script=Han}/u.test(value)) {
      const syllables = pinyin(value, { toneType: 'none', type: 'array', nonZh: 'removed' }).filter(Boolean);
      if (syllables.length > 0) words.add(syllables.join(''));
      for (const s of syllables) if (s.length >= 2) words.add(s);
      if (syllables.length > 1) words.add(syllables.slice(1).join(''));
    }
  }
  return [...words];
}

/** Why `password` is refused for `owner`, or null when it is acceptable. */
export async function passwordProblem(password: string, owner: PasswordOwner = {}): Promise<PasswordProblem | null> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    return { code: 'too_short', message: `password must be at least ${MIN_PASSWORD_LENGTH} characters`, messageZh: `密码至少需要 ${MIN_PASSWORD_LENGTH} 个字符。` };
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return { code: 'too_long', message: `password must be at most ${MAX_PASSWORD_LENGTH} characters`, messageZh: `密码最多 ${MAX_PASSWORD_LENGTH} 个字符。` };
  }
  if (/^\d+$/.test(password)) {
    return {
      code: 'digits_only',
      message: 'password is too weak: digits alone (like a QQ number, phone number or date) are guessed quickly. Add words that are less common.',
      messageZh: '密码强度不足：纯数字（如 QQ 号、手机号、日期）很容易被猜到。请加入不常见的词语。',
    };
  }
  const { factory, enWarnings, enSuggestions } = await zxcvbn();
  const result = factory.check(password, ownerWords(owner));
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const feedback: FeedbackType = result.feedback.warning || result.feedback.suggestions.length > 0 ? result.feedback : { warning: null, suggestions: ['anotherWord'] };
  return {
    code: 'weak',
    message: `password is too weak: ${explain(feedback, enWarnings, enSuggestions, ' ')}`,
    messageZh: `密码强度不足：${explain(feedback, ZH_WARNINGS, ZH_SUGGESTIONS, '')}`,
  };
}
