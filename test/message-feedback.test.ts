import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('MessageService.recordFeedback', () => {
  it('logs a thumbs-down as a masked not_helpful demand signal for the last question', async () => {
    const conversationId = 'feedback-core-1';
    const emitted: string[] = [];
    server.service.on('demand', (d) => emitted.push(d.reason));
    const result = await server.service.handle({
      channel: 'web',
      conversationId,
      senderId: conversationId,
      text: '我的手机13812345678，居住证怎么办理',
      time: new Date(),
    });
    const entryId = result.replies[0]?.entryId;
    expect(await server.service.recordFeedback(conversationId, { helpful: true })).toBeNull();
    const signal = await server.service.recordFeedback(conversationId, { helpful: false, entryId });
    expect(signal).toMatchObject({ conversationId, channel: 'web', reason: 'not_helpful', candidates: [{ entryId, score: 1 }] });
    expect(signal?.text).toContain('居住证怎么办理');
    expect(signal?.text).not.toContain('13812345678');
    expect((await server.store.demand.list()).filter((d) => d.conversationId === conversationId)).toHaveLength(1);
    expect(emitted).toContain('not_helpful');
  });

  it('uses the question it is given, masked, and ignores unknown conversations', async () => {
    const signal = await server.service.recordFeedback('feedback-core-1', { helpful: false, question: '身份证11010519491231002X补办' });
    expect(signal?.text).not.toContain('11010519491231002X');
    expect(await server.service.recordFeedback('no-such-conversation', { helpful: false, question: 'x' })).toBeNull();
  });
});
