/** Per-message language detection between Chinese and English. */
import type { Lang } from '../core/message.ts';

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /[A-Za-z]{2,}/g;

/** Chinese when the message has Han characters making up a real part of it; English otherwise. */
export function detectLanguage(text: string, fallback: Lang = 'zh'): Lang {
  const han = text.match(HAN)?.length ?? 0;
  const latinWords = text.match(LATIN_WORD)?.length ?? 0;
  if (han === 0 && latinWords === 0) return fallback;
  // A Chinese word is about two characters; "我的passport丢了" is Chinese.
  return han / 2 >= latinWords * 0.5 ? 'zh' : 'en';
}
