/** The Bot Framework turn logic under botbuilder's TestAdapter, answering from the real sample knowledge base. */
import { TestAdapter, type Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTurnLogic } from '../../channels/botframework/turn.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('botframework turn logic (TestAdapter)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const adapterFor = (conversation: string): TestAdapter =>
    new TestAdapter(createTurnLogic({ service: server.service, logger: createLogger('silent') }), TestAdapter.createConversation(conversation));

  it('answers a question as plain text and stores the conversation reference for later replies', async () => {
    await adapterFor('turn-answer')
      .send('居住证怎么办理')
      .assertReply((reply: Partial<Activity>) => {
        expect(reply.text).toContain('居住证');
        expect(reply.textFormat).toBe('plain');
      });
    expect((await server.store.addresses.get('botframework:turn-answer'))?.address).toMatchObject({
      conversation: { id: 'turn-answer' },
      serviceUrl: 'https://test.com',
    });
  });

  it('offers choices as suggested actions, and the tapped value answers the chosen entry', async () => {
    let values: string[] = [];
    const adapter = adapterFor('turn-choice');
    await adapter.send('驾驶证').assertReply((reply: Partial<Activity>) => {
      const actions = reply.suggestedActions?.actions ?? [];
      expect(actions.length).toBeGreaterThanOrEqual(2);
      expect(actions.every((a) => a.type === 'imBack')).toBe(true);
      expect(actions.map((a) => a.title).join()).toContain('驾驶证');
      values = actions.filter((a) => /补领|遗失|损毁/.test(a.title ?? '')).map((a) => String(a.value));
    });
    await adapter.send(values[0]!).assertReply((reply: Partial<Activity>) => {
      expect(reply.text).not.toContain('您是想问');
      expect(reply.text).toMatch(/补领|遗失|损毁/);
    });
  });

  it('welcomes when the bot is added to a conversation, in the client language', async () => {
    await adapterFor('turn-welcome')
      .send({ type: 'conversationUpdate', membersAdded: [{ id: 'user1' }, { id: 'bot' }] } as Partial<Activity>)
      .assertReply((reply: Partial<Activity>) => expect(reply.text).toMatch(/^Hello! I am the government services assistant/));
  });

  it('acknowledges other activities without answering or storing them', async () => {
    await adapterFor('turn-typing')
      .send({ type: 'typing' } as Partial<Activity>)
      .send({ type: 'conversationUpdate', membersAdded: [{ id: 'user1' }] } as Partial<Activity>)
      .assertNoReply('nothing to say to a typing indicator', 100);
    expect(await server.store.messages.listByConversation('botframework:turn-typing')).toEqual([]);
  });
});
