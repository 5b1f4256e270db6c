/** Reads a 好差评 rating from the citizen's reply: a number, the label, or a word for it, plus an optional comment. */
import type { Rating } from './types.ts';

const PATTERNS: Array<[RegExp, Rating]> = [
  [/^(1|①|非常满意|满意|satisfied|good|👍)(?=$|[\s,，。.!！:：])/i, 'satisfied'],
  [/^(2|②|基本满意|一般|basically satisfied|ok|okay)(?=$|[\s,，。.!！:：])/i, 'basically_satisfied'],
  [/^(3|③|不满意|差评|很差|dissatisfied|unsatisfied|bad|poor|👎)(?=$|[\s,，。.!！:：])/i, 'dissatisfied'],
];

/** The rating and the rest of the message as a comment, or null when the text is not a rating. */
export function parseRating(text: string): { rating: Rating; comment: string | null } | null {
  const t = text.trim();
  // Longest labels first: "基本满意" and "不满意" must not read as "满意".
  const ordered = [PATTERNS[1]!, PATTERNS[2]!, PATTERNS[0]!];
  for (const [re, rating] of ordered) {
    const m = re.exec(t);
    if (m) {
      const comment = t.slice(m[0].length).replace(/^[\s,，。.!！:：]+/, '').trim();
      return { rating, comment: comment || null };
    }
  }
  return null;
}
