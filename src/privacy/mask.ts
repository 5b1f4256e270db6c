/** Masks personal data (ID numbers, bank cards, mobile numbers, e-mail addresses) in free text. */

const ID_CARD = /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
const BANK_CARD = /(?<![\d-])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![\d-])/g;
const MOBILE = /(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

function keepEnds(match: string, head: number, tail: number): string {
  const digits = match.replace(/[ -]/g, '');
  return digits.slice(0, head) + '*'.repeat(Math.max(0, digits.length - head - tail)) + digits.slice(digits.length - tail);
}

/** Returns `text` with personal data replaced; the rest of the text is untouched. */
export function maskPersonalData(text: string): string {
  return text
    .replace(EMAIL, (m) => {
      const at = m.indexOf('@');
      return `${m[0] ?? ''}***${m.slice(at)}`;
    })
    .replace(ID_CARD, (m) => keepEnds(m, 3, 2))
    .replace(BANK_CARD, (m) => keepEnds(m, 4, 4))
    .replace(MOBILE, (m) => keepEnds(m.replace(/^\+?86[ -]?/, ''), 3, 4));
}
