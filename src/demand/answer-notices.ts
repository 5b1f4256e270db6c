/**
 * Tells the citizens who asked a question the bot could not answer that it now can: once an FAQ draft is published,
 * each of their conversations gets the answer on its own channel, in the citizen's language where known, at most once
 * per publication, and only while the platform still lets the bot write (the channel's reply window; WeChat: 48
 * hours after the citizen's last message); the others are skipped and counted.
 */
import type { DeliveryResult } from '../core/delivery.ts';
import type { Lang, Outcome, Reply } from '../core/message.ts';
import type { Store } from '../store/store.ts';

const HOUR_MS = 3_600_000;

/** Someone whose question the published answer covers. */
export interface Asker {
  conversationId: string;
  channel: string;
  /** The language of their question, used when the conversation has none recorded. */
  lang: Lang;
}

export interface NoticeCounts {
  sent: number;
  /** Outside the channel's reply window, no way to reach them, or the platform refused. */
  skipped: number;
  /** The platform or the network failed. */
  failed: number;
  /** Told already for this publication (never twice). */
  alreadyNotified: number;
}

export interface NoticeDeps {
  store: Store;
  /** Writes the replies to the transcript and the outbox, then sends them (the outbound router). */
  deliver: (conversationId: string, replies: readonly Reply[], outcome: Outcome) => Promise<DeliveryResult>;
  /** The channel's reply window in hours (ReplySender.replyWindowHours); undefined: no limit. */
  replyWindowHours: (channel: string) => number | undefined;
  now?: () => Date;
}

/** The message a citizen gets: a short lead-in in their language, then the published answer. */
export function answerNotice(lang: Lang, title: string, answer: string, entryId: string): Reply {
  const lead =
    lang === 'en'
      ? `You asked us earlier about "${title}". We can now answer it:`
      : `您之前咨询的“${title}”，现在有答复了：`;
  return { text: `${lead}\n\n${answer}`, entryId };
}

/** Distinct askers by conversation, first occurrence kept. */
export function distinctAskers(askers: readonly Asker[]): Asker[] {
  const seen = new Map<string, Asker>();
  for (const a of askers) if (!seen.has(a.conversationId)) seen.set(a.conversationId, a);
  return [...seen.values()];
}

/** Whether the channel's reply window is still open for the conversation at `now`. */
export async function withinReplyWindow(store: Store, conversationId: string, hours: number | undefined, now: Date): Promise<boolean> {
  if (hours === undefined) return true;
  const lastIn = (await store.messages.listByConversation(conversationId, 200))
    .filter((m) => m.direction === 'in')
    .at(-1);
  return lastIn !== undefined && now.getTime() - lastIn.createdAt.getTime() <= hours * HOUR_MS;
}

/** Sends the published answer to each asker once, recording every outcome against the draft. */
export async function notifyAskers(
  deps: NoticeDeps,
  publication: { draftId: number; entryId: string; title: string; answer: string },
  askers: readonly Asker[],
): Promise<NoticeCounts> {
  const now = deps.now ?? (() => new Date());
  const counts: NoticeCounts = { sent: 0, skipped: 0, failed: 0, alreadyNotified: 0 };
  const drafts = deps.store.faqDrafts;
  for (const asker of distinctAskers(askers)) {
    const conversation = await deps.store.conversations.get(asker.conversationId);
    const channel = conversation?.channel ?? asker.channel;
    if (!(await drafts.reserveNotice(publication.draftId, asker.conversationId, channel, now()))) {
      counts.alreadyNotified++;
      continue;
    }
    if (!conversation) {
      await drafts.settleNotice(publication.draftId, asker.conversationId, 'skipped', 'no_route');
      counts.skipped++;
      continue;
    }
    if (!(await withinReplyWindow(deps.store, asker.conversationId, deps.replyWindowHours(channel), now()))) {
      await drafts.settleNotice(publication.draftId, asker.conversationId, 'skipped', 'window_closed');
      counts.skipped++;
      continue;
    }
    const lang = conversation.state.lang ?? asker.lang;
    const result = await deps.deliver(asker.conversationId, [answerNotice(lang, publication.title, publication.answer, publication.entryId)], 'answered');
    if (result.status === 'sent') {
      await drafts.settleNotice(publication.draftId, asker.conversationId, 'sent', null);
      counts.sent++;
    } else if (result.reason === 'failed') {
      await drafts.settleNotice(publication.draftId, asker.conversationId, 'failed', result.detail ?? result.reason);
      counts.failed++;
    } else {
      await drafts.settleNotice(publication.draftId, asker.conversationId, 'skipped', result.reason);
      counts.skipped++;
    }
  }
  return counts;
}
