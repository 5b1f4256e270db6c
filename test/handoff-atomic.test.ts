/**
 * A case opens in the same write as the message that asked for it, its answer and the conversation: when
 * that write fails (a full disk, a crash before the commit) there is no case without a conversation, which
 * staff could claim but never reply to. Announcing the case waits for the write too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Escalation } from '../src/handoff/types.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

async function say(conversationId: string, text: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId, text }),
  });
}

describe('opening a case', () => {
  it('opens no case when the turn asking for it cannot be stored, and exactly one when the citizen asks again', async () => {
    const conversation = 'atomic-case-1';
    expect((await say(conversation, '火星签证怎么办')).status).toBe(200);
    const announced: Escalation[] = [];
    const listener = (e: Escalation): void => void announced.push(e);
    server.handoff.on('changed', listener);
    // SQLite refuses the answer's row, as it would with a full disk: the whole turn rolls back.
    server.store.db.exec("CREATE TEMP TRIGGER refuse_answers BEFORE INSERT ON messages WHEN NEW.direction = 'out' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    try {
      const failed = await say(conversation, '转人工');
      expect(failed.status).toBe(500);
    } finally {
      server.store.db.exec('DROP TRIGGER temp.refuse_answers');
    }
    expect(await server.store.escalations.findOpen(conversation)).toBeUndefined();
    expect(announced).toEqual([]);
    // What the citizen wrote is still kept.
    const kept = (await server.store.messages.listByConversation(conversation)).map((m) => `${m.direction}:${m.text}`);
    expect(kept.at(-1)).toBe('in:转人工');

    const retried = await say(conversation, '转人工');
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { replies: { text: string }[] }).replies[0]?.text).toMatch(/已转人工，编号 HY-/);
    const opened = (await server.store.escalations.findOpen(conversation))!;
    // The case shows the question the bot could not answer, not the requests for a person.
    expect(opened.question).toBe('火星签证怎么办');
    expect(announced.map((e) => e.id)).toEqual([opened.id]);
    expect(server.store.db.prepare('SELECT COUNT(*) FROM escalations WHERE conversation_id = ?').pluck().get(conversation)).toBe(1);
    server.handoff.off('changed', listener);
  });
});
