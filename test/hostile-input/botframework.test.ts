/** The Bot Framework endpoint (Emulator mode on loopback, fake connector) fed the hostile-input corpus and malformed activities. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botframeworkChannel } from '../../channels/botframework/index.ts';
import { TOO_FAST_TEXT } from '../../src/ops/rate-limits.ts';
import { messageActivity, postActivity, conversationOf } from '../fakes/botframework-client.ts';
import { startFakeConnector, type FakeConnector } from '../fakes/botframework-connector.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { expectNothingStoredUnmasked, expectStillAnswers, HOSTILE_TEXTS, hugeJson, MALFORMED_JSON, WRONG_TYPES } from './corpus.ts';

let connector: FakeConnector;
let server: TestServer;

beforeAll(async () => {
  connector = await startFakeConnector();
  server = await startTestServer({ channels: [botframeworkChannel], env: { BOTFRAMEWORK_EMULATOR: '1' }, config: { RATE_LIMIT_CONVERSATION_PER_MINUTE: '3' } });
});

afterAll(async () => {
  await server?.stop();
  await connector?.stop();
});

const texts = (user: string): string[] => connector.forConversation(conversationOf(user)).map((a) => String(a.activity.text ?? ''));

describe('botframework endpoint: hostile input', () => {
  it('answers every corpus text, one conversation each', async () => {
    for (const [index, [name, text]] of HOSTILE_TEXTS.entries()) {
      const { status } = await postActivity(server.url, messageActivity(connector, `bf-corpus-${index}`, text, `a-${index}`));
      expect(status, name).toBe(200);
      expect(texts(`bf-corpus-${index}`).length, name).toBeGreaterThan(0);
    }
    expectNothingStoredUnmasked(server);
    await expectStillAnswers(server);
  });

  it('answers malformed JSON, wrong types and oversized bodies with 4xx and a message', async () => {
    for (const body of MALFORMED_JSON) expect((await postActivity(server.url, body)).status, body).toBe(400);
    const valid = messageActivity(connector, 'bf-wrong', '居住证', 'w-1');
    for (const [name, value] of WRONG_TYPES) {
      for (const field of ['type', 'conversation', 'serviceUrl', 'text']) {
        const res = await postActivity(server.url, { ...valid, [field]: value });
        expect(res.status, `${field}: ${name}`).toBe(400);
        expect(res.text, `${field}: ${name}`).toContain(field);
      }
    }
    expect((await postActivity(server.url, { ...valid, serviceUrl: 'javascript:alert(1)' })).status).toBe(400);
    const huge = await postActivity(server.url, hugeJson());
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.text)).toMatchObject({ error: 'payload_too_large' });
    expect(await server.store.messages.listByConversation(`botframework:${conversationOf('bf-wrong')}`)).toEqual([]);
    await expectStillAnswers(server);
  });

  it('answers a replayed activity once', async () => {
    const activity = messageActivity(connector, 'bf-replay', '护照怎么办理', 'r-1');
    expect((await postActivity(server.url, activity)).status).toBe(200);
    expect((await postActivity(server.url, activity)).status).toBe(200);
    expect(texts('bf-replay')).toHaveLength(1);
  });

  it('tells a flooding citizen once to slow down, then drops, answering 200', async () => {
    for (let i = 0; i < 5; i++) expect((await postActivity(server.url, messageActivity(connector, 'bf-flood', `护照${i}`, `f-${i}`))).status).toBe(200);
    const seen = texts('bf-flood');
    expect(seen).toHaveLength(4);
    expect(seen[3]).toBe(TOO_FAST_TEXT);
  });
});
