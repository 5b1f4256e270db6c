/** Text normalisation applied before any matching: script, width, case, punctuation and synonyms. */
import * as OpenCC from 'opencc-js';

const twToCn = OpenCC.Converter({ from: 'twp', to: 'cn' });
const hkToCn = OpenCC.Converter({ from: 'hk', to: 'cn' });

const HAN = /\p{Script=Han}/u;
const PUNCT_OR_SYMBOL = /[\p{P}\p{S}\p{Cc}\p{Cf}]+/gu;

/** Traditional (Taiwan and Hong Kong variants) to Simplified Chinese; other text is unchanged. */
export function toSimplified(text: string): string {
  return HAN.test(text) ? hkToCn(twToCn(text)) : text;
}

/** Replaces variant words with their canonical word, longest variant first. */
export class SynonymMap {
  private readonly pattern: RegExp | null;
  private readonly canonicalOf = new Map<string, string>();

  constructor(canonicalToVariants: ReadonlyMap<string, readonly string[]>) {
    for (const [canonical, variants] of canonicalToVariants) {
      const target = basicNormalize(canonical);
      if (!target) continue;
      // The canonical word maps to itself, so a variant inside it (港澳通 in 港澳通行证) is left alone.
      this.canonicalOf.set(target, target);
      for (const v of variants) {
        const variant = basicNormalize(v);
        if (variant && !this.canonicalOf.has(variant)) this.canonicalOf.set(variant, target);
      }
    }
    const words = [...this.canonicalOf.keys()].sort((a, b) => b.length - a.length).map(wordPattern);
    this.pattern = words.length > 0 ? new RegExp(words.join('|'), 'g') : null;
  }

  /** Replaces every variant with its canonical word in one pass, longest match first. */
  apply(text: string): string {
    return this.pattern ? text.replace(this.pattern, (m) => this.canonicalOf.get(m) ?? m) : text;
  }

  /** How many variants (words other than their canonical word) are known. */
  get size(): number {
    return [...this.canonicalOf].filter(([word, canonical]) => word !== canonical).length;
  }
}

function wordPattern(word: string): string {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Latin words match whole words only; Chinese has no word boundaries.
  return HAN.test(word) ? escaped : `(?<![a-z0-9])${escaped}(?![a-z0-9])`;
}

/** Width, script, case and punctuation normalisation without synonyms. */
export function basicNormalize(text: string): string {
  return toSimplified(text.normalize('NFKC'))
    .toLowerCase()
    .replace(PUNCT_OR_SYMBOL, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Full normalisation: `basicNormalize` then synonyms. */
export function normalize(text: string, synonyms?: SynonymMap): string {
  const basic = basicNormalize(text);
  return synonyms ? synonyms.apply(basic).replace(/\s+/g, ' ').trim() : basic;
}
