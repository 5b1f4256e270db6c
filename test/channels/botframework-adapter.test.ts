/** The Bot Framework adapter over real HTTP: welcome, later replies, connector failures, bad and unauthorised requests. */
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { botframeworkChannel } from '../../channels/botframework/index.ts';
import { ConfigError } from '../../src/config.ts';
import type { MessageService } from '../../src/core/message-service.ts';
import type { Store } from '../../src/store/store.ts';
import { createLogger } from '../../src/logger.ts';
import type { ChannelAdapter, ChannelDeps } from '../../src/server/channel-adapter.ts';
import { startFakeConnector, type FakeConnector } from '../fakes/botframework-connector.ts';
import { BOT_ACCOUNT, conversationOf, messageActivity, postActivity } from '../fakes/botframework-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

describe('botframework adapter (Emulator mode, fake connector)', () => {
  let connector: FakeConnector;
  let server: TestServer;
  beforeAll(async () => {
    connector = await startFakeConnector();
    server = await startTestServer({ channels: [botframeworkChannel], env: { BOTFRAMEWORK_EMULATOR: '1' } });
  });
  afterAll(async () => {
    await server?.stop();
    await connector?.stop();
  });

  const texts = (user: string): string[] => connector.forConversation(conversationOf(user)).map((a) => String(a.activity.text ?? ''));

  it('welcomes a citizen when the bot joins the conversation', async () => {
    const { status } = await postActivity(server.url, {
      ...messageActivity(connector, 'adapter-welcome', '', 'cu-1'),
      type: 'conversationUpdate',
      membersAdded: [{ id: 'adapter-welcome' }, BOT_ACCOUNT],
    });
    expect(status).toBe(200);
    expect(texts('adapter-welcome')).toEqual([expect.stringContaining('政务服务智能助手')]);
  });

  it('replies to the activity, without a token in Emulator mode', async () => {
    await postActivity(server.url, messageActivity(connector, 'adapter-reply', '居住证怎么办理', 'act-1'));
    const [sent] = connector.forConversation(conversationOf('adapter-reply'));
    expect(sent?.replyToId).toBe('act-1');
    expect(sent?.authorization).toBeUndefined();
    expect(sent?.activity).toMatchObject({ type: 'message', textFormat: 'plain', recipient: { id: 'adapter-reply' } });
  });

  it('delivers a staff reply later through continueConversation', async () => {
    await postActivity(server.url, messageActivity(connector, 'adapter-staff', '你好', 'staff-1'));
    const result = await server.outbound.deliver(`botframework:${conversationOf('adapter-staff')}`, [
      { text: '材料已收到。', staffName: '王工', links: [{ title: '进度查询', url: 'https://example.gov.cn/progress' }] },
    ]);
    expect(result).toEqual({ status: 'sent' });
    const last = connector.forConversation(conversationOf('adapter-staff')).at(-1);
    expect(last?.activity.text).toBe('【王工】材料已收到。');
    expect(last?.activity.attachments).toEqual([expect.objectContaining({ contentType: 'application/vnd.microsoft.card.hero' })]);
  });

  it('reports a connector 403 as blocked and other connector errors (404: conversation gone) as failed', async () => {
    await postActivity(server.url, messageActivity(connector, 'adapter-blocked', '你好', 'blocked-1'));
    const id = `botframework:${conversationOf('adapter-blocked')}`;
    try {
      connector.failWith(403);
      expect(await server.outbound.deliver(id, [{ text: '工作人员：您好' }])).toMatchObject({ status: 'undeliverable', reason: 'blocked' });
      connector.failWith(404);
      expect(await server.outbound.deliver(id, [{ text: '工作人员：您好' }])).toMatchObject({ status: 'undeliverable', reason: 'failed' });
    } finally {
      connector.failWith(null);
    }
  });

  it('has no route to a conversation it never saw', async () => {
    const adapter = server.channels.find((c) => c.name === 'botframework')!;
    expect(await adapter.send('botframework:never-seen', [{ text: 'hi' }])).toMatchObject({ status: 'undeliverable', reason: 'no_route' });
  });

  it('still acknowledges and stores a message when the connector refuses the answer, and shows the answer as undeliverable', async () => {
    connector.failWith(403);
    try {
      const { status } = await postActivity(server.url, messageActivity(connector, 'adapter-refused', '护照怎么换发', 'refused-1'));
      expect(status).toBe(200);
    } finally {
      connector.failWith(null);
    }
    const id = `botframework:${conversationOf('adapter-refused')}`;
    const stored = await server.store.messages.listByConversation(id);
    expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect((await server.store.outbox.forConversation(id)).map((o) => [o.status, o.reason])).toEqual([['undeliverable', 'blocked']]);
  });

  it('writes the answer to the outbox and marks it sent once the connector took it', async () => {
    await postActivity(server.url, messageActivity(connector, 'adapter-outbox', '居住证怎么办理', 'outbox-1'));
    const [item] = await server.store.outbox.forConversation(`botframework:${conversationOf('adapter-outbox')}`);
    expect(item?.status).toBe('sent');
    expect(item?.replies.map((r) => r.text).join()).toContain('居住证');
    expect(texts('adapter-outbox')).toEqual([expect.stringContaining('居住证')]);
  });

  it('answers malformed bodies with 400 and a message', async () => {
    const notJson = await postActivity(server.url, '{"type": "message",');
    expect(notJson.status).toBe(400);
    expect(notJson.text).toContain('not valid JSON');
    const text = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(text.status).toBe(400);
    expect(await text.text()).toContain('activity');
    const noConversation = await postActivity(server.url, { type: 'message', channelId: 'emulator', serviceUrl: connector.url, text: 'hi' });
    expect(noConversation.status).toBe(400);
    expect(noConversation.text).toContain('conversation');
  });
});

/** An express app with only the channel's routes, for checks that stop before the core is involved. */
async function startBareApp(env: NodeJS.ProcessEnv, host: string): Promise<{ url: string; handle: ReturnType<typeof vi.fn>; close(): Promise<void> }> {
  const handle = vi.fn();
  const deps: ChannelDeps = { service: { handle } as unknown as MessageService, store: {} as Store, logger: createLogger('silent') };
  const adapter = (await botframeworkChannel.create(env, deps)) as ChannelAdapter;
  const app = express();
  app.use(express.json());
  const root = express.Router();
  adapter.mountRoot!(root);
  app.use(root);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, host, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    handle,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const activity = { type: 'message', id: 'x-1', channelId: 'emulator', serviceUrl: 'http://127.0.0.1:9', conversation: { id: 'c' }, from: { id: 'u' }, recipient: BOT_ACCOUNT, text: '你好' };

describe('botframework adapter: access', () => {
  it('refuses to start in Emulator mode with NODE_ENV=production', async () => {
    const deps = { service: {}, store: {}, logger: createLogger('silent') } as unknown as ChannelDeps;
    await expect(botframeworkChannel.create({ BOTFRAMEWORK_EMULATOR: '1', NODE_ENV: 'production' }, deps)).rejects.toThrow(ConfigError);
    expect(await botframeworkChannel.create({ NODE_ENV: 'production' }, deps)).toBeNull();
  });

  it('answers 401 to a request without Authorization when an app id is configured', async () => {
    // A missing header fails before botbuilder would fetch OpenID metadata, so this runs offline.
    const app = await startBareApp({ MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: 'secret' }, '127.0.0.1');
    try {
      const res = await postActivity(app.url, activity);
      expect(res.status).toBe(401);
      expect(res.text).toContain('Unauthorized');
      expect(app.handle).not.toHaveBeenCalled();
    } finally {
      await app.close();
    }
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);

  it.skipIf(!external)('answers 403 in Emulator mode to a request that does not come from loopback', async () => {
    // Connecting to this machine's own non-loopback address makes that address the request's source.
    const app = await startBareApp({ BOTFRAMEWORK_EMULATOR: '1' }, external!.address);
    try {
      const res = await postActivity(app.url, activity);
      expect(res.status).toBe(403);
      expect(res.text).toContain('this machine only');
      expect(app.handle).not.toHaveBeenCalled();
    } finally {
      await app.close();
    }
  });
});
