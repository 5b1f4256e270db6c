/**
 * The Wechaty adapter: a long-running client on a personal WeChat or WeCom account, driven through any
 * Wechaty puppet. Wechaty is loaded only in start(), so an unconfigured server never pays for it.
 */
import type { Contact, Message, OfficialPuppetNpmName, Room, Wechaty, WechatyOptions } from 'wechaty';
import type { DeliveryResult } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/message.ts';
import { overConversationLimit } from '../../src/ops/rate-limits.ts';
import type { ChannelAdapter, ChannelCapabilities, ChannelDeps } from '../../src/server/channel-adapter.ts';
import { decideInbound, parseWechatyAddress, WECHATY_CHANNEL, type WechatyMessageFacts } from './inbound.ts';
import { renderWechaty, TEXT_ONLY_NOTICE, WECHATY_MAX_TEXT } from './render.ts';

/** A ready puppet object (tests inject wechaty-puppet-mock). */
export type WechatyPuppetInstance = Exclude<NonNullable<WechatyOptions['puppet']>, string>;

export interface WechatyAdapterOptions {
  /** The puppet's npm package name, or a puppet instance. */
  puppet: string | WechatyPuppetInstance;
  token?: string;
  /** Memory card name (keeps the login session in `<name>.memory-card.json`). */
  name?: string;
  maxTextLength?: number;
}

type WechatyModule = typeof import('wechaty');

export class WechatyAdapter implements ChannelAdapter {
  readonly name = WECHATY_CHANNEL;
  readonly capabilities: ChannelCapabilities;
  private bot: Wechaty | undefined;
  private mediaTypes = new Set<number>();
  private textType = -1;

  constructor(
    private readonly options: WechatyAdapterOptions,
    private readonly deps: ChannelDeps,
  ) {
    this.capabilities = { buttons: false, richLinks: false, maxTextLength: options.maxTextLength ?? WECHATY_MAX_TEXT };
  }

  async start(): Promise<void> {
    const wechaty: WechatyModule = await import('wechaty');
    const { Message: Type } = wechaty.types;
    this.textType = Type.Text;
    this.mediaTypes = new Set([Type.Image, Type.Audio, Type.Video, Type.Attachment, Type.Emoticon, Type.Url, Type.MiniProgram, Type.Contact, Type.Location]);
    const { puppet, token, name } = this.options;
    const bot = wechaty.WechatyBuilder.build(
      typeof puppet === 'string'
        ? { name, puppet: puppet as OfficialPuppetNpmName, puppetOptions: token ? { token } : {} }
        : { name, puppet },
    );
    const { logger } = this.deps;
    const { ScanStatus } = wechaty;
    bot.on('scan', (qrcode, status) => {
      if (!qrcode || (status !== ScanStatus.Waiting && status !== ScanStatus.Timeout)) return;
      logger.info({ qrcodeUrl: wechaty.qrcodeValueToImageUrl(qrcode), qrcode }, 'wechaty: scan this QR code with the WeChat account to log in');
    });
    bot.on('login', (user) => logger.info({ account: user.name(), id: user.id }, 'wechaty: logged in'));
    bot.on('logout', (user, reason) => logger.warn({ account: user.name(), id: user.id, reason }, 'wechaty: logged out'));
    bot.on('error', (err) => logger.warn({ err: err.message }, 'wechaty: error'));
    bot.on('message', (message) => void this.onMessage(message));
    this.bot = bot;
    try {
      await bot.start();
    } catch (err) {
      this.bot = undefined;
      throw new Error(`wechaty: puppet ${typeof puppet === 'string' ? puppet : 'instance'} failed to start: ${(err as Error).message}`, { cause: err });
    }
  }

  async stop(): Promise<void> {
    const bot = this.bot;
    this.bot = undefined;
    await bot?.stop();
  }

  async send(conversationId: string, replies: readonly Reply[]): Promise<DeliveryResult> {
    const stored = await this.deps.store.addresses.get(conversationId);
    const address = stored?.channel === WECHATY_CHANNEL ? parseWechatyAddress(stored.address) : undefined;
    if (!address) return { status: 'undeliverable', reason: 'no_route', detail: `no Wechaty address for ${conversationId}` };
    const bot = this.bot;
    if (!bot?.isLoggedIn) return { status: 'undeliverable', reason: 'failed', detail: 'the Wechaty account is not logged in' };
    try {
      const contact = await bot.Contact.find({ id: address.contactId });
      if (address.roomId) {
        const room = await bot.Room.find({ id: address.roomId });
        if (!room) return { status: 'undeliverable', reason: 'no_route', detail: `room ${address.roomId} not found (has the account left it?)` };
        await this.sayAll({ room, contact }, renderWechaty(replies, this.capabilities.maxTextLength));
      } else {
        if (!contact) return { status: 'undeliverable', reason: 'no_route', detail: `contact ${address.contactId} not found` };
        await this.sayAll({ contact }, renderWechaty(replies, this.capabilities.maxTextLength));
      }
      return { status: 'sent' };
    } catch (err) {
      return { status: 'undeliverable', reason: 'failed', detail: (err as Error).message };
    }
  }

  private async onMessage(message: Message): Promise<void> {
    const { logger, service } = this.deps;
    try {
      const decision = decideInbound(await this.readFacts(message));
      if (decision.action === 'ignore') {
        logger.debug({ messageId: message.id, reason: decision.reason }, 'wechaty: message ignored');
        return;
      }
      const contact = message.talker();
      if (decision.action === 'text_only') {
        await contact.say(TEXT_ONLY_NOTICE);
        return;
      }
      const room = message.room();
      if (await overConversationLimit(this.deps, decision.message.conversationId, (text) => this.sayAll(room ? { room, contact } : { contact }, [text]))) return;
      const result = await service.handle(decision.message);
      if (result.duplicate) return;
      await this.sayAll(room ? { room, contact } : { contact }, renderWechaty(result.replies, this.capabilities.maxTextLength));
    } catch (err) {
      logger.error({ err: (err as Error).message, messageId: message.id }, 'wechaty: could not answer a message');
    }
  }

  private async readFacts(message: Message): Promise<WechatyMessageFacts> {
    const self = message.self();
    let talkerId: string | undefined;
    try {
      talkerId = message.talker().id;
    } catch {
      talkerId = undefined;
    }
    const room = message.room();
    const type = message.type();
    const kind = type === this.textType ? 'text' : this.mediaTypes.has(type) ? 'media' : 'other';
    let text = kind === 'text' ? message.text() : '';
    let mentionsSelf = false;
    if (room && kind === 'text' && !self && talkerId) {
      mentionsSelf = await message.mentionSelf();
      if (mentionsSelf) text = await message.mentionText().catch(() => text);
    }
    return { id: message.id, self, talkerId, roomId: room?.id, kind, text, mentionsSelf, time: message.date() };
  }

  /** Says the texts in order; in a room the first one @mentions the citizen it answers. */
  private async sayAll(to: { room?: Room; contact?: Contact }, texts: readonly string[]): Promise<void> {
    for (const [i, text] of texts.entries()) {
      if (to.room) {
        if (i === 0 && to.contact) await to.room.say(text, to.contact);
        else await to.room.say(text);
      } else {
        await to.contact?.say(text);
      }
    }
  }
}
