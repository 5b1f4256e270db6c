/**
 * What citizens write is cleaned of characters that hide or disguise text before it is stored and shown to
 * staff: C0 and C1 control characters (NUL, bell, escape, DEL, ...) except tab and newline, and the Unicode
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), with which "txt.exe"
 * can be made to display as "exe.txt". Carriage returns become newlines. The direction marks U+200E, U+200F
 * and U+061C are kept: they only steer neighbouring punctuation, and Arabic or Hebrew text needs them.
 * Zero-width characters stay too (word joiners in some scripts); a message of nothing else counts as empty.
 */

/** Control characters (C0, DEL, C1: `\p{Cc}`) but tab and newline; bidi embeddings, overrides and isolates. */
const HIDDEN = /(?![\t\n])[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/** `text` with control characters (but tab and newline) and bidi overrides removed, and CR or CRLF as LF. */
export function neutraliseControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(HIDDEN, '');
}
