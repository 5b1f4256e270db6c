/**
 * Control characters (NUL, bell, escape, DEL, C1) and bidi overrides are taken out of what citizens write
 * before it is stored and shown to staff, on every channel; the exact original stays sealed, like masked text.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramChannel } from '../../channels/telegram/index.ts';
import { neutraliseControls } from '../../src/core/control-characters.ts';
import { TextSealer } from '../../src/privacy/sealed-text.ts';
import { startFakeTelegramApi, textUpdate, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { createStaff, login } from '../support/staff-client.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';
import { PHONE } from './corpus.ts';

const TOKEN = '123456789:control-characters-test-token';
const SECRET = 'control-characters-webhook-secret';
/** What must not reach the store or staff: controls but tab and newline, bidi embeddings, overrides, isolates. */
const HIDDEN = /(?![\t\n])[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

let api: FakeTelegramApi;
let server: TestServer;

beforeAll(async () => {
  api = await startFakeTelegramApi(TOKEN);
  server = await startTestServer({ channels: [telegramChannel], env: api.webhookEnv(SECRET) });
});

afterAll(async () => {
  await server?.stop();
  await api?.stop();
});

const sealer = (): TextSealer => TextSealer.fromKeyFile(join(server.dir, 'data.key'));

/** The stored inbound rows of a conversation, with their sealed originals opened. */
function storedInbound(conversationId: string): Array<{ text: string; original: string | null }> {
  const rows = server.store.db
    .prepare("SELECT text, sealed_text FROM messages WHERE conversation_id = ? AND direction = 'in' ORDER BY id")
    .all(conversationId) as Array<{ text: string; sealed_text: string | null }>;
  return rows.map((r) => ({ text: r.text, original: r.sealed_text ? sealer().open(r.sealed_text) : null }));
}

describe('control characters and bidi overrides', () => {
  it('the cleaning keeps text, tab and newline, turns CR into newline, and removes the rest', () => {
    expect(neutraliseControls('a\u0000b\u0001c\u0007d\u001be\u007f\u0085f')).toBe('abcdef');
    expect(neutraliseControls('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(neutraliseControls('\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069x')).toBe('x');
    expect(neutraliseControls('one\ttwo\r\nthree\rfour\n')).toBe('one\ttwo\nthree\nfour\n');
    // Direction marks and zero-width characters stay (Arabic and Hebrew text needs the marks).
    expect(neutraliseControls('\u200Fשלום\u200E \u200B居住证')).toBe('\u200Fשלום\u200E \u200B居住证');
  });

  it('HTTP API: stored and returned without them; the original is sealed', async () => {
    const original = '\u202E居住证怎么办理\u202C\u0000\u0007\u001b[31m';
    const res = await fetch(`${server.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId: 'controls-api-0001', text: original }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('answered');
    const history = (await (await fetch(`${server.url}/api/v1/conversations/controls-api-0001/messages`)).json()) as {
      messages: Array<{ direction: string; text: string }>;
    };
    expect(history.messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['居住证怎么办理[31m']);
    expect(storedInbound('controls-api-0001')).toEqual([{ text: '居住证怎么办理[31m', original }]);
  });

  it('Telegram: the case, its transcript for the staff member holding it and the queue show none of them', async () => {
    const chatId = 8801;
    const question = `exe.\u202Etxt 我的电话${PHONE}\u0000，护照\u0008丢了怎么\u2067补办\u2069`;
    const post = async (updateId: number, text: string): Promise<void> => {
      const res = await fetch(`${server.url}/channels/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(textUpdate({ updateId, chatId, text })),
      });
      expect(res.status).toBe(200);
    };
    await post(880_001, question);
    await post(880_002, '转人工');
    const conversationId = (server.store.db.prepare("SELECT conversation_id FROM messages WHERE channel = 'telegram' AND direction = 'in' LIMIT 1").pluck().get()) as string;
    const cleaned = `exe.txt 我的电话${PHONE}，护照丢了怎么补办`;
    const [first] = storedInbound(conversationId);
    expect(first).toEqual({ text: 'exe.txt 我的电话139****5678，护照丢了怎么补办', original: question });

    await createStaff(server.store, 'ctl-super', 'supervisor', ['general']);
    const staff = await login(server.url, 'ctl-super');
    const queue = await eventually(async () => {
      const { body } = await staff.get('/api/v1/escalations');
      return (body.escalations as Array<{ id: number; question: string }>).length > 0 ? body.escalations : undefined;
    }, 5000, 'the case');
    const [escalation] = queue as Array<{ id: number; question: string }>;
    expect(escalation!.question).not.toMatch(HIDDEN);
    expect((await staff.post(`/api/v1/escalations/${escalation!.id}/claim`)).status).toBe(200);
    const { body } = await staff.get(`/api/v1/escalations/${escalation!.id}`);
    const texts = (body.messages as Array<{ direction: string; text: string }>).filter((m) => m.direction === 'in').map((m) => m.text);
    // The holder reads the phone number (unsealed), still without the controls and overrides.
    expect(texts[0]).toBe(cleaned);
    expect(body.escalation.question).not.toMatch(HIDDEN);
  });

  it('staff input too: a note and a reply with NUL and a right-to-left override are stored and shown without them', async () => {
    const staff = await login(server.url, 'ctl-super');
    const { body: queue } = await staff.get('/api/v1/escalations');
    const [escalation] = queue.escalations as Array<{ id: number }>;
    const note = await staff.post(`/api/v1/escalations/${escalation!.id}/notes`, { text: '已回电\u0000，见附件 exe.\u202Etxt' });
    expect(note.status).toBe(200);
    expect((note.body.notes as Array<{ text: string }>).map((n) => n.text)).toContain('已回电，见附件 exe.txt');
    const reply = await staff.post(`/api/v1/escalations/${escalation!.id}/messages`, { text: '您好\u0007，请带护照\u202E原件' });
    expect(reply.status).toBe(200);
    const { body } = await staff.get(`/api/v1/escalations/${escalation!.id}`);
    const out = (body.messages as Array<{ direction: string; text: string }>).filter((m) => m.direction === 'out').map((m) => m.text);
    expect(out).toContain('您好，请带护照原件');
  });

  it('nothing stored holds them, in any table (the sealed originals aside)', () => {
    const db = server.store.db;
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).filter((t) => !t.startsWith('sqlite_'));
    for (const table of tables) {
      const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string; type: string }>).filter(
        (c) => (/TEXT/i.test(c.type) || c.type === '') && c.name !== 'sealed_text',
      );
      for (const column of columns) {
        const values = db.prepare(`SELECT CAST("${column.name}" AS TEXT) FROM "${table}"`).pluck().all() as Array<string | null>;
        for (const value of values) expect(value ?? '', `${table}.${column.name}`).not.toMatch(HIDDEN);
      }
    }
  });
});
