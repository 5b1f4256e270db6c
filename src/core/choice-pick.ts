/** Reads a citizen's pick from a numbered list: "2", "第二个", "②", "the second one", or the option's title. */

const CHINESE_NUMERALS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };
const CIRCLED = '①②③④⑤';
const ORDINALS: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5 };

/** The 1-based choice number, or null when the message is not a pick. */
export function pickChoice(text: string, labels: readonly string[]): number | null {
  const t = text.normalize('NFKC').trim().toLowerCase().replace(/[。.!！?？,，\s]+$/u, '');
  let n: number | null = null;
  const digit = /^(?:第|选|选择|no\.?\s*|option\s*|#)?\s*(\d)\s*(?:个|项|条)?$/u.exec(t);
  const chinese = /^(?:第|选)?([一二两三四五])(?:个|项|条)?$/u.exec(t);
  const ordinal = /^(?:the\s+)?(first|second|third|fourth|fifth)(?:\s+one)?$/.exec(t);
  if (digit) n = Number(digit[1]);
  else if (chinese) n = CHINESE_NUMERALS[chinese[1]!] ?? null;
  else if (ordinal) n = ORDINALS[ordinal[1]!] ?? null;
  else if (t.length === 1 && CIRCLED.includes(t)) n = CIRCLED.indexOf(t) + 1;
  else {
    const byLabel = labels.findIndex((l) => l.toLowerCase() === t);
    if (byLabel >= 0) n = byLabel + 1;
  }
  return n !== null && n >= 1 && n <= labels.length ? n : null;
}
