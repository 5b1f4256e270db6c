/** Posts activities to the bot's /api/messages the way Azure Bot Service (or the Emulator) does. */
import type { FakeConnector } from './botframework-connector.ts';

export const BOT_ACCOUNT = { id: 'huiying-bot', name: 'Huiying' };

/** The Bot Framework conversation id the fake uses for a citizen. */
export function conversationOf(user: string): string {
  return `conv-${user}`;
}

/** A message activity from `user`, with replies going to the fake connector. */
export function messageActivity(connector: FakeConnector, user: string, text: string, id: string): Record<string, unknown> {
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    channelId: 'emulator',
    serviceUrl: connector.url,
    conversation: { id: conversationOf(user) },
    from: { id: user, name: user, role: 'user' },
    recipient: { ...BOT_ACCOUNT, role: 'bot' },
    locale: 'zh-CN',
    text,
  };
}

/** Posts a body to /api/messages and returns the HTTP status and response text. */
export async function postActivity(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${baseUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}
