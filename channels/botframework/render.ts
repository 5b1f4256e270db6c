/** Pure rendering of core replies as Bot Framework message activities; no I/O. */
import { ActionTypes, ActivityTypes, CardFactory, MessageFactory, TextFormatTypes, type Activity, type Attachment, type CardAction } from 'botbuilder';
import { splitText } from '../../src/core/plain-text.ts';
import type { Lang, Link, Reply } from '../../src/core/message.ts';

/** Longest text one activity carries; Teams caps a whole message at about 28 KB, so stay well below. */
export const MAX_TEXT_LENGTH = 4000;

/** Teams shows at most six buttons on a hero card; more links go on further cards. */
const BUTTONS_PER_CARD = 6;

const WELCOME: Record<Lang, string> = {
  zh: '您好！我是政务服务智能助手，可以解答户籍、社保、公积金等办事问题，请直接输入您的问题。',
  en: 'Hello! I am the government services assistant. Ask me about residence permits, social insurance, housing fund and more.',
};

/**
 * One or more message activities per reply: the text as plain text (split under the limit), choices as
 * suggested actions (imBack with the choice value) and links as hero-card buttons on the last activity.
 * The numbered list stays in the text, so typing "2" works in clients that do not show suggested actions.
 * A staff reply starts with the staff member's name.
 */
export function renderReplies(replies: readonly Reply[], maxTextLength: number = MAX_TEXT_LENGTH): Partial<Activity>[] {
  return replies.flatMap((reply) => renderReply(reply, maxTextLength));
}

/** The greeting sent when the bot joins a conversation, in the client's language (Chinese unless the locale is English). */
export function welcomeActivity(locale?: string): Partial<Activity> {
  return plainText(WELCOME[locale?.toLowerCase().startsWith('en') ? 'en' : 'zh']);
}

function renderReply(reply: Reply, maxTextLength: number): Partial<Activity>[] {
  const body = reply.text.trim() && reply.staffName ? `【${reply.staffName}】${reply.text}` : reply.text;
  const texts = body.trim() ? splitText(body, maxTextLength) : [];
  const choices = reply.choices ?? [];
  const cards = linkCards(reply.links ?? []);
  if (texts.length === 0 && choices.length === 0 && cards.length === 0) return [];
  const activities = (texts.length > 0 ? texts : ['']).map((text) => plainText(text));
  const last = activities.at(-1)!;
  if (choices.length > 0) {
    const actions: CardAction[] = choices.map((c) => ({ type: ActionTypes.ImBack, title: c.label, value: c.value }));
    last.suggestedActions = MessageFactory.suggestedActions(actions).suggestedActions;
  }
  if (cards.length > 0) {
    last.attachments = cards;
    if (cards.length > 1) last.attachmentLayout = 'list';
  }
  return activities;
}

function plainText(text: string): Partial<Activity> {
  const activity: Partial<Activity> = { type: ActivityTypes.Message, textFormat: TextFormatTypes.Plain };
  if (text) activity.text = text;
  return activity;
}

function linkCards(links: readonly Link[]): Attachment[] {
  const cards: Attachment[] = [];
  for (let i = 0; i < links.length; i += BUTTONS_PER_CARD) {
    const buttons: CardAction[] = links
      .slice(i, i + BUTTONS_PER_CARD)
      .map((l) => ({ type: ActionTypes.OpenUrl, title: l.title || l.url, value: l.url }));
    cards.push(CardFactory.heroCard('', undefined, buttons));
  }
  return cards;
}
