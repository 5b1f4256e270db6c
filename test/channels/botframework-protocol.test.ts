/** Pure protocol pieces of the Bot Framework channel: activity parsing, configuration, the loopback guard. */
import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { loadBotFrameworkConfig } from '../../channels/botframework/config.ts';
import { activityToMessage, addsTheBot, parseActivity } from '../../channels/botframework/inbound.ts';
import { isLoopbackAddress } from '../../channels/botframework/loopback.ts';
import { ConfigError } from '../../src/config.ts';

const base = {
  type: 'message',
  id: '1581070411932',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/apac/',
  conversation: { id: 'a:1xyz' },
  from: { id: '29:citizen', name: 'Citizen' },
  recipient: { id: '28:bot', name: 'Huiying' },
  text: '居住证怎么办理',
};

function activity(overrides: Record<string, unknown> = {}): Activity {
  const parsed = parseActivity({ ...base, ...overrides });
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.activity;
}

describe('botframework inbound', () => {
  it('turns a message activity into a core message with a stored conversation reference', () => {
    const message = activityToMessage(activity({ timestamp: '2025-03-01T08:00:00.000Z' }));
    expect(message).toMatchObject({
      channel: 'botframework',
      conversationId: 'botframework:a:1xyz',
      senderId: '29:citizen',
      text: '居住证怎么办理',
      time: new Date('2025-03-01T08:00:00.000Z'),
    });
    expect(message?.address).toMatchObject({
      serviceUrl: base.serviceUrl,
      channelId: 'msteams',
      conversation: { id: 'a:1xyz' },
      user: { id: '29:citizen' },
      bot: { id: '28:bot' },
      activityId: base.id,
    });
  });

  it('deduplicates by activity id within its conversation (Teams ids are timestamps, not globally unique)', () => {
    const a = activityToMessage(activity());
    const b = activityToMessage(activity({ conversation: { id: 'a:other' } }));
    expect(a?.platformMessageId).toContain(base.id);
    expect(a?.platformMessageId).not.toBe(b?.platformMessageId);
    expect(activityToMessage(activity())?.platformMessageId).toBe(a?.platformMessageId);
  });

  it("removes the bot's own @mention from a Teams group message", () => {
    const message = activityToMessage(
      activity({
        text: '<at>Huiying</at> 护照怎么换发',
        entities: [{ type: 'mention', text: '<at>Huiying</at>', mentioned: { id: '28:bot', name: 'Huiying' } }],
      }),
    );
    expect(message?.text).toBe('护照怎么换发');
  });

  it('ignores activities that are not messages', () => {
    expect(activityToMessage(activity({ type: 'typing' }))).toBeNull();
    expect(activityToMessage(activity({ type: 'messageReaction' }))).toBeNull();
  });

  it('recognises the bot joining a conversation, not just anyone joining', () => {
    expect(addsTheBot(activity({ type: 'conversationUpdate', membersAdded: [{ id: '29:citizen' }, { id: '28:bot' }] }))).toBe(true);
    expect(addsTheBot(activity({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone' }] }))).toBe(false);
    expect(addsTheBot(activity({ type: 'conversationUpdate', membersRemoved: [{ id: '28:bot' }] }))).toBe(false);
  });

  it('rejects bodies that are not activities, naming what is missing', () => {
    expect(parseActivity('hello')).toEqual({ error: expect.stringContaining('activity') });
    expect(parseActivity([base])).toEqual({ error: expect.stringContaining('activity') });
    expect(parseActivity({ ...base, serviceUrl: 'file:///etc/passwd' })).toEqual({ error: expect.stringContaining('serviceUrl') });
    const missing = parseActivity({ ...base, type: undefined, conversation: undefined });
    expect('error' in missing && missing.error).toMatch(/type.*conversation/);
  });
});

describe('botframework config', () => {
  it('stays off without MICROSOFT_APP_ID or BOTFRAMEWORK_EMULATOR=1', () => {
    expect(loadBotFrameworkConfig({})).toBeNull();
    expect(loadBotFrameworkConfig({ BOTFRAMEWORK_EMULATOR: '0', MICROSOFT_APP_ID: '' })).toBeNull();
  });

  it('turns on with Azure credentials, multi-tenant by default', () => {
    expect(loadBotFrameworkConfig({ MICROSOFT_APP_ID: 'app-id', MICROSOFT_APP_PASSWORD: 'secret' })).toEqual({
      mode: 'azure',
      appId: 'app-id',
      appPassword: 'secret',
      tenantId: undefined,
      appType: 'MultiTenant',
    });
    expect(
      loadBotFrameworkConfig({ MICROSOFT_APP_ID: 'app-id', MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_TENANT_ID: 'tenant' }),
    ).toMatchObject({ mode: 'azure', appType: 'UserAssignedMSI', tenantId: 'tenant' });
  });

  it('turns on in Emulator mode without an app id during development', () => {
    expect(loadBotFrameworkConfig({ BOTFRAMEWORK_EMULATOR: '1', NODE_ENV: 'development' })).toEqual({ mode: 'emulator' });
  });

  it('refuses Emulator mode (no authentication) with NODE_ENV=production', () => {
    const start = (): unknown => loadBotFrameworkConfig({ BOTFRAMEWORK_EMULATOR: '1', NODE_ENV: 'production' });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/BOTFRAMEWORK_EMULATOR.*NODE_ENV=production.*MICROSOFT_APP_ID/s);
  });

  it('names the variable that is wrong or missing', () => {
    expect(() => loadBotFrameworkConfig({ MICROSOFT_APP_ID: 'app-id' })).toThrow(/MICROSOFT_APP_PASSWORD.*required/);
    expect(() => loadBotFrameworkConfig({ MICROSOFT_APP_ID: 'app-id', MICROSOFT_APP_PASSWORD: 's', MICROSOFT_APP_TYPE: 'SingleTenant' })).toThrow(
      /MICROSOFT_APP_TENANT_ID/,
    );
    expect(() => loadBotFrameworkConfig({ MICROSOFT_APP_ID: 'app-id', MICROSOFT_APP_PASSWORD: 's', MICROSOFT_APP_TYPE: 'Single' })).toThrow(
      /MICROSOFT_APP_TYPE/,
    );
    expect(() => loadBotFrameworkConfig({ MICROSOFT_APP_PASSWORD: 'secret' })).toThrow(/MICROSOFT_APP_PASSWORD.*MICROSOFT_APP_ID/);
  });
});

describe('botframework loopback guard', () => {
  it('accepts this machine only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', '0.0.0.0', '127.0.0.1.evil', '1127.0.0.1', '', undefined]) {
      expect(isLoopbackAddress(a), String(a)).toBe(false);
    }
  });
});
