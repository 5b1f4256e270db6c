/** The text-only form of a reply, for channels without buttons or link cards (WeChat, Wechaty, SMS-like media). */
import type { Reply } from './message.ts';

/**
 * The reply's text, then its links as "title: url" lines. Choices are already written into the text as a
 * numbered list by the engine, so a citizen can answer "2" on any channel.
 */
export function replyAsPlainText(reply: Reply): string {
  const links = (reply.links ?? []).map((l) => (l.title && l.title !== l.url ? `${l.title}: ${l.url}` : l.url));
  return [reply.text, ...links].filter((s) => s.trim()).join('\n');
}

/** True when `text` shows nothing: only white space, control and invisible format characters (zero-width, direction marks). */
export function isBlank(text: string): boolean {
  return !/[^\s\p{Cc}\p{Cf}]/u.test(text);
}

/** Splits text into pieces no longer than `max` characters, at line breaks where possible. */
export function splitText(text: string, max: number): string[] {
  const chars = Array.from(text);
  if (chars.length <= max) return [text];
  const parts: string[] = [];
  let rest = chars;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = window.lastIndexOf('\n');
    const at = cut > max / 2 ? cut + 1 : max;
    parts.push(rest.slice(0, at).join('').trimEnd());
    rest = rest.slice(at);
  }
  if (rest.length > 0) parts.push(rest.join(''));
  return parts;
}
