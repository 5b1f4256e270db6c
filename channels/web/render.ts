/** PURE rendering of core replies and stored transcript messages into what the widget shows; no I/O. */
import type { Link, Reply } from '../../src/core/message.ts';
import type { StoredMessage } from '../../src/core/ports.ts';
import { phrase } from '../../src/core/replies.ts';
import type { WidgetMessage } from './protocol.ts';

/** Only http(s) links survive: a `javascript:` or `data:` URL never reaches the page. */
export function safeLinks(links: readonly Link[] | undefined): Link[] {
  const safe: Link[] = [];
  for (const link of links ?? []) {
    let url: URL;
    try {
      url = new URL(link.url);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    safe.push({ title: (link.title || '').trim() || url.href, url: url.href });
  }
  return safe;
}

const numberHints = new Set([phrase('clarifyHint', 'zh'), phrase('clarifyHint', 'en')]);

/**
 * The widget shows choices as buttons, so the numbered lines the engine wrote for text-only channels
 * ("1. 驾驶证补领") and the hint to reply with a number are dropped from the text (typing "1" still works).
 */
function textWithoutChoiceLines(reply: Reply): string {
  const choices = reply.choices ?? [];
  if (choices.length === 0) return reply.text;
  const numbered = new Set(choices.map((c) => `${c.value}. ${c.label}`));
  const all = reply.text.split('\n');
  const kept = all.filter((line) => !numbered.has(line.trim()));
  if (all.length - kept.length < choices.length) return reply.text;
  const text = kept.filter((line) => !numberHints.has(line.trim())).join('\n').trim();
  return text || reply.text;
}

/** One core reply as the widget shows it (text, buttons, safe links, staff name). */
export function renderReply(reply: Reply): Pick<WidgetMessage, 'text' | 'choices' | 'links' | 'staffName'> {
  const links = safeLinks(reply.links);
  const choices = (reply.choices ?? []).filter((c) => c.label && c.value).map((c) => ({ label: c.label, value: c.value }));
  return {
    text: textWithoutChoiceLines(reply),
    ...(choices.length > 0 ? { choices } : {}),
    ...(links.length > 0 ? { links } : {}),
    ...(reply.staffName ? { staffName: reply.staffName } : {}),
  };
}

/** A stored transcript message as the widget shows it; citizen messages are plain text. */
export function toWidgetMessage(message: StoredMessage): WidgetMessage {
  const base = { id: message.id, direction: message.direction, time: message.createdAt.toISOString() };
  if (message.direction === 'in') return { ...base, text: message.text };
  const shown = renderReply(message.reply ?? { text: message.text });
  return {
    ...base,
    ...shown,
    outcome: message.outcome,
    ...(message.outcome === 'answered' && !shown.staffName ? { rateable: true } : {}),
  };
}
