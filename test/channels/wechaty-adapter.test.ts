/** The Wechaty adapter on wechaty-puppet-mock: who it answers, where, and what it does with later replies. */
import { PassThrough } from 'node:stream';
import { ScanStatus } from 'wechaty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WechatyAdapter } from '../../channels/wechaty/adapter.ts';
import { createWechatyChannel, wechatyChannel } from '../../channels/wechaty/index.ts';
import { TEXT_ONLY_NOTICE, WECHATY_MAX_TEXT } from '../../channels/wechaty/render.ts';
import { createLogger } from '../../src/logger.ts';
import type { ChannelAdapter, ChannelDeps } from '../../src/server/channel-adapter.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { FakeWeChat } from '../fakes/wechaty-puppet.ts';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

describe('wechaty adapter', () => {
  let wechat: FakeWeChat;
  let server: TestServer;
  let adapter: ChannelAdapter;

  beforeAll(async () => {
    wechat = new FakeWeChat('政务助手');
    server = await startTestServer({ channels: [createWechatyChannel({ puppet: wechat.puppet })] });
    adapter = server.channels.find((c) => c.name === 'wechaty')!;
    await wechat.login();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const inbound = async (conversationId: string) => (await server.store.messages.listByConversation(conversationId)).filter((m) => m.direction === 'in');

  it('answers once and does not answer its own replies, which the puppet echoes back', async () => {
    wechat.say('alice', '居住证怎么办理');
    const [answer] = await wechat.saidAtLeast('alice', 1);
    expect(answer).toContain('居住证');
    await settle();
    expect(wechat.said('alice')).toHaveLength(1);
    expect((await inbound('wechaty:alice')).map((m) => m.text)).toEqual(['居住证怎么办理']);
    expect(await inbound(`wechaty:${wechat.account.id}`)).toEqual([]);
  });

  it('stays silent when the account owner writes to someone from their phone', async () => {
    wechat.ownerSays('carol', '护照怎么换发');
    await settle();
    expect(wechat.said('carol')).toEqual(['护照怎么换发']);
    expect(await inbound('wechaty:carol')).toEqual([]);
    expect(await inbound(`wechaty:${wechat.account.id}`)).toEqual([]);
  });

  it('in a group chat answers only when mentioned, without the mention in the question', async () => {
    wechat.say('dave', '居住证怎么办理', { room: 'neighbours' });
    await settle();
    expect(wechat.said('neighbours@chatroom')).toEqual([]);
    expect(await inbound('wechaty:neighbours@chatroom')).toEqual([]);

    wechat.say('dave', '居住证怎么办理', { room: 'neighbours', mentionBot: true });
    const [answer] = await wechat.saidAtLeast('neighbours@chatroom', 1);
    expect(answer).toMatch(/^@居民dave\s/);
    expect(answer).toContain('居住证');
    expect(wechat.said('dave')).toEqual([]);
    expect((await inbound('wechaty:neighbours@chatroom')).map((m) => m.text)).toEqual(['居住证怎么办理']);
  });

  it('delivers a staff reply written later into the group chat, addressed to the citizen', async () => {
    wechat.say('erin', '社保卡怎么办理', { room: 'office', mentionBot: true });
    const before = await wechat.saidAtLeast('office@chatroom', 1);
    const result = await server.outbound.deliver('wechaty:office@chatroom', [{ text: '工作人员：您的社保卡已制好。' }]);
    expect(result).toEqual({ status: 'sent' });
    const after = await wechat.saidAtLeast('office@chatroom', before.length + 1);
    expect(after.at(-1)).toMatch(/^@居民erin\s工作人员：您的社保卡已制好。$/);
  });

  it('splits a long reply into several messages, in order', async () => {
    wechat.say('frank', '你好');
    const before = await wechat.saidAtLeast('frank', 1);
    const lines = Array.from({ length: 100 }, (_, i) => `第${i + 1}步：请携带身份证原件到窗口办理相关手续。`);
    expect(await adapter.send('wechaty:frank', [{ text: lines.join('\n') }])).toEqual({ status: 'sent' });
    await settle();
    const parts = wechat.said('frank').slice(before.length);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Array.from(part).length).toBeLessThanOrEqual(WECHATY_MAX_TEXT);
    expect(parts.join('\n')).toBe(lines.join('\n'));
  });

  it('tells a citizen who sends a picture that it reads text only, but not in a group chat', async () => {
    wechat.sendImage('grace');
    expect(await wechat.saidAtLeast('grace', 1)).toEqual([TEXT_ONLY_NOTICE]);
    wechat.sendImage('grace', { room: 'photos' });
    await settle();
    expect(wechat.said('photos@chatroom')).toEqual([]);
    expect(await inbound('wechaty:grace')).toEqual([]);
  });

  it('ignores a message without a talker or without text, and keeps answering', async () => {
    wechat.sendBadMessages();
    await settle();
    expect(wechat.said('bad-payload-citizen')).toEqual([]);
    expect(await inbound('wechaty:bad-payload-citizen')).toEqual([]);
    wechat.say('heidi', '护照怎么换发');
    expect((await wechat.saidAtLeast('heidi', 1))[0]).toContain('护照');
  });

  it('reports a conversation it has no address for, or whose contact is gone, as undeliverable', async () => {
    expect(await adapter.send('wechaty:nobody', [{ text: '您好' }])).toMatchObject({ status: 'undeliverable', reason: 'no_route' });
    await server.store.addresses.save('wechaty:ghost', 'wechaty', { contactId: 'ghost' });
    expect(await adapter.send('wechaty:ghost', [{ text: '您好' }])).toMatchObject({ status: 'undeliverable', reason: 'no_route' });
    await server.store.addresses.save('wechaty:gone@chatroom', 'wechaty', { contactId: 'alice', roomId: 'gone@chatroom' });
    expect(await adapter.send('wechaty:gone@chatroom', [{ text: '您好' }])).toMatchObject({ status: 'undeliverable', reason: 'no_route' });
  });

  it('reports replies as undeliverable while the account is logged out', async () => {
    await wechat.logout();
    const result = await adapter.send('wechaty:alice', [{ text: '工作人员：您好' }]);
    expect(result).toMatchObject({ status: 'undeliverable', reason: 'failed' });
    expect(wechat.said('alice')).toHaveLength(1);
  });
});

describe('wechaty channel configuration', () => {
  const deps = {} as Parameters<typeof wechatyChannel.create>[1];

  it('stays off without WECHATY_PUPPET', async () => {
    expect(await wechatyChannel.create({ WECHATY_NAME: 'huiying' }, deps)).toBeNull();
  });

  it('names the variable when a value is bad', async () => {
    await expect(wechatyChannel.create({ WECHATY_PUPPET: 'not a package' }, deps)).rejects.toThrow(/WECHATY_PUPPET=/);
    await expect(wechatyChannel.create({ WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_NAME: '../bot' }, deps)).rejects.toThrow(/WECHATY_NAME=/);
  });

  it('starts the puppet named by WECHATY_PUPPET and stops it with the server', async () => {
    const server = await startTestServer({ channels: [wechatyChannel], env: { WECHATY_PUPPET: 'wechaty-puppet-mock', WECHATY_PUPPET_TOKEN: 'test-token' } });
    try {
      expect(server.channels.map((c) => c.name)).toContain('wechaty');
      expect(await server.channels.find((c) => c.name === 'wechaty')!.send('wechaty:nobody', [{ text: 'x' }])).toMatchObject({ reason: 'no_route' });
    } finally {
      await server.stop();
    }
  });
});

describe('wechaty login', () => {
  it('logs the QR code to scan, then the login', async () => {
    const lines: string[] = [];
    const out = new PassThrough();
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const wechat = new FakeWeChat();
    const adapter = new WechatyAdapter({ puppet: wechat.puppet }, { logger: createLogger('info', out) } as ChannelDeps);
    await adapter.start();
    try {
      wechat.mocker.scan('https://login.weixin.qq.com/l/QRVALUE', ScanStatus.Waiting);
      await wechat.login();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await adapter.stop();
    }
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; qrcodeUrl?: string; account?: string });
    const scan = logged.find((l) => l.msg.includes('scan this QR code'));
    expect(scan?.qrcodeUrl).toBe(`https://wechaty.js.org/qrcode/${encodeURIComponent('https://login.weixin.qq.com/l/QRVALUE')}`);
    expect(logged.find((l) => l.msg === 'wechaty: logged in')?.account).toBe('政务助手');
  });
});
