/**
 * The Official Account server callback (`/channels/wechat`): URL verification, text messages and events in
 * plaintext or safe mode, a passive reply within WeChat's 5 seconds, and the customer-service API for
 * answers that come later (slow answers, the rest of long answers, staff replies).
 */
import { randomInt } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { DeliveryResult } from '../../src/core/delivery.ts';
import type { IncomingMessage, Reply } from '../../src/core/message.ts';
import type { HandledMessage } from '../../src/core/message-service.ts';
import type { ChannelAdapter, ChannelCapabilities, ChannelDeps } from '../../src/server/channel-adapter.ts';
import { overConversationLimit } from '../../src/ops/rate-limits.ts';
import { WeChatApiClient } from './api-client.ts';
import type { WeChatConfig } from './config.ts';
import { CHANNEL, toInbound } from './inbound.ts';
import { DecryptError, MessageCrypto, signatureMatches, wechatSignature } from './message-crypto.ts';
import { DEFAULT_WELCOME, MAX_TEXT_BYTES, UNSUPPORTED_TEXT, renderTexts } from './render.ts';
import { encryptedReplyXml, parseWeChatXml, textReplyXml, XmlError, type WeChatFields } from './wechat-xml.ts';

const RECENT_EVENTS = 1000;

/** How one callback was opened: the decrypted fields and, in safe mode, the key that opened them. */
interface Opened {
  fields: WeChatFields;
  keyIndex?: number;
}

export class WeChatAdapter implements ChannelAdapter {
  readonly name = CHANNEL;
  /** The customer-service message API takes messages for 48 hours after the citizen's last one. */
  readonly replyWindowHours = 48;
  readonly capabilities: ChannelCapabilities = {
    buttons: false,
    richLinks: false,
    // In characters, for Chinese text (3 bytes each); replies are split by bytes.
    maxTextLength: Math.floor(MAX_TEXT_BYTES / 3),
  };
  private readonly crypto: MessageCrypto | undefined;
  private readonly api: WeChatApiClient;
  private readonly recentEvents = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly config: WeChatConfig,
    private readonly deps: ChannelDeps,
  ) {
    const keys = [config.WECHAT_ENCODING_AES_KEY, config.WECHAT_ENCODING_AES_KEY_PREVIOUS].filter((k): k is string => !!k);
    this.crypto = keys.length > 0 ? new MessageCrypto(keys, config.WECHAT_APP_ID) : undefined;
    this.api = new WeChatApiClient({ baseUrl: config.WECHAT_API_BASE, appId: config.WECHAT_APP_ID, appSecret: config.WECHAT_APP_SECRET });
  }

  mount(router: Router): void {
    router.use(express.text({ type: ['text/xml', 'application/xml', 'text/plain', '*/*'], limit: '64kb' }));
    router.get('/', (req, res) => this.verifyUrl(req, res));
    router.post('/', (req, res) => this.receive(req, res));
  }

  async send(conversationId: string, replies: readonly Reply[]): Promise<DeliveryResult> {
    const address = (await this.deps.store.addresses.get(conversationId))?.address;
    const openId = typeof address?.openId === 'string' ? address.openId : undefined;
    if (!openId) return { status: 'undeliverable', reason: 'no_route', detail: `no OpenID known for ${conversationId}` };
    return this.sendTexts(openId, renderTexts(replies));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** The console's "submit" of the server URL: echo `echostr` when the signature is ours. */
  private verifyUrl(req: Request, res: Response): void {
    if (!this.signed(req)) {
      res.status(401).type('text/plain').send('invalid signature');
      return;
    }
    res.type('text/plain').send(queryString(req, 'echostr'));
  }

  private async receive(req: Request, res: Response): Promise<void> {
    if (!this.signed(req)) {
      this.deps.logger.warn('wechat callback with a bad signature (is WECHAT_TOKEN the console\'s Token?)');
      res.status(401).type('text/plain').send('invalid signature');
      return;
    }
    if (!this.fresh(req)) {
      this.deps.logger.warn('wechat callback with a timestamp far from this server\'s clock: refused as a replay (is the clock right?)');
      res.status(401).type('text/plain').send('stale timestamp');
      return;
    }
    const opened = this.open(req, res);
    if (!opened) return;
    const inbound = toInbound(opened.fields);
    if (!inbound) {
      res.status(400).type('text/plain').send('not a WeChat message');
      return;
    }
    const passive = (content: string): void => this.replyPassively(res, opened, content);
    switch (inbound.kind) {
      case 'ignored':
        return void res.type('text/plain').send('success');
      case 'unsupported':
        return passive(UNSUPPORTED_TEXT);
      case 'subscribe':
        if (this.firstTime(inbound.eventId)) return passive(this.config.WECHAT_WELCOME_TEXT ?? DEFAULT_WELCOME);
        return void res.type('text/plain').send('success');
      case 'message':
        // Over the limit: told once with a passive reply, then "success" so WeChat does not retry.
        if (await overConversationLimit(this.deps, inbound.message.conversationId, passive)) {
          if (!res.headersSent) res.type('text/plain').send('success');
          return;
        }
        return this.answer(inbound.message, res, passive);
    }
  }

  /**
   * Runs the question through the core. The answer is written to the outbox with the message, then goes out
   * passively when it is ready within the budget (a long answer's rest through the customer-service API), else
   * all of it through the API after "success". A crash before it went out re-sends it from the outbox.
   */
  private async answer(message: IncomingMessage, res: Response, passive: (content: string) => void): Promise<void> {
    const openId = message.senderId;
    const send = async (replies: readonly Reply[]): Promise<DeliveryResult> => {
      const pieces = renderTexts(replies);
      if (!canReplyPassively(res)) return this.sendTexts(openId, pieces);
      const [now, ...rest] = pieces;
      if (now !== undefined) passive(now);
      return this.sendTexts(openId, rest);
    };
    // The message is stored before the engine runs, so a "success" sent after the budget acknowledges a
    // message that is already durable.
    let isStored = false;
    let markStored!: () => void;
    const stored = new Promise<void>((resolve) => {
      markStored = () => {
        isStored = true;
        resolve();
      };
    });
    const handling = this.deps.service.handle(message, { onStored: markStored, send });
    // Shutdown waits for it: the rest of a long answer may still be going out after the response.
    this.track(handling.then((handled) => this.reportDelivery(handled)));
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.config.WECHAT_REPLY_BUDGET_MS);
    });
    const first = await Promise.race([handling.catch((error: unknown) => ({ error })), budget]).finally(() => clearTimeout(timer));
    if (first === 'late') await Promise.race([stored, handling]);
    // Not stored: 500, and WeChat sends it again. Stored, it awaits its answer, which the next start gives.
    else if ('error' in first && !isStored) throw first.error;
    // "success" for a late answer, a duplicate, a conversation staff hold, or an answer without text.
    if (!res.headersSent) res.type('text/plain').send('success');
  }

  private reportDelivery(handled: HandledMessage): void {
    const delivery = handled.delivery;
    if (delivery && delivery.status !== 'sent') this.deps.logger.warn({ reason: delivery.reason, detail: delivery.detail }, 'wechat answer not delivered');
  }

  private async sendTexts(openId: string, pieces: readonly string[]): Promise<DeliveryResult> {
    for (const piece of pieces) {
      const result = await this.api.sendText(openId, piece);
      if (result.status !== 'sent') return result;
    }
    return { status: 'sent' };
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((err: Error) => this.deps.logger.error({ err: err.message }, 'wechat answer failed'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** True the first time an event id is seen (WeChat retries an event it got no answer for). */
  private firstTime(eventId: string): boolean {
    if (this.recentEvents.has(eventId)) return false;
    this.recentEvents.add(eventId);
    if (this.recentEvents.size > RECENT_EVENTS) this.recentEvents.delete(this.recentEvents.values().next().value!);
    return true;
  }

  /** `signature` over the token, timestamp and nonce, sent with every callback in either mode. */
  private signed(req: Request): boolean {
    const expected = wechatSignature(this.config.WECHAT_TOKEN, queryString(req, 'timestamp'), queryString(req, 'nonce'));
    return signatureMatches(req.query.signature, expected);
  }

  /** False when the signed timestamp is further than WECHAT_MAX_CLOCK_SKEW_SECONDS from now: a replayed request. */
  private fresh(req: Request): boolean {
    const skew = this.config.WECHAT_MAX_CLOCK_SKEW_SECONDS;
    if (skew === 0) return true;
    const timestamp = queryString(req, 'timestamp');
    return /^\d{1,12}$/.test(timestamp) && Math.abs(Date.now() / 1000 - Number(timestamp)) <= skew;
  }

  /** The callback's fields, decrypted in safe mode; null once an error response has been sent. */
  private open(req: Request, res: Response): Opened | null {
    const fail = (status: number, text: string): null => {
      res.status(status).type('text/plain').send(text);
      return null;
    };
    if (typeof req.body !== 'string' || !req.body.trim()) return fail(400, 'expected an XML body');
    let outer: WeChatFields;
    try {
      outer = parseWeChatXml(req.body);
    } catch (err) {
      if (err instanceof XmlError) return fail(400, 'body is not WeChat XML');
      throw err;
    }
    if (!this.crypto) {
      if (outer.Encrypt !== undefined && outer.MsgType === undefined) {
        this.deps.logger.warn('wechat sent an encrypted message but WECHAT_ENCODING_AES_KEY is not set');
        return fail(400, 'encrypted messages need WECHAT_ENCODING_AES_KEY');
      }
      return { fields: outer };
    }
    const encrypt = outer.Encrypt;
    // In safe mode only the encrypted part is covered by msg_signature; a plaintext body is not trusted.
    if (!encrypt) return fail(401, 'safe mode expects an encrypted message');
    const token = this.config.WECHAT_TOKEN;
    const expected = wechatSignature(token, queryString(req, 'timestamp'), queryString(req, 'nonce'), encrypt);
    if (!signatureMatches(req.query.msg_signature, expected)) return fail(401, 'invalid msg_signature');
    try {
      const { xml, keyIndex } = this.crypto.decrypt(encrypt);
      return { fields: parseWeChatXml(xml), keyIndex };
    } catch (err) {
      if (!(err instanceof DecryptError || err instanceof XmlError)) throw err;
      this.deps.logger.warn({ err: err.message }, 'wechat message cannot be decrypted (check WECHAT_ENCODING_AES_KEY and WECHAT_APP_ID)');
      return fail(400, 'cannot decrypt the message');
    }
  }

  /** The passive reply: a text message to the sender, encrypted with the key the message came with in safe mode. */
  private replyPassively(res: Response, opened: Opened, content: string): void {
    const now = Math.floor(Date.now() / 1000);
    const xml = textReplyXml(opened.fields.FromUserName ?? '', opened.fields.ToUserName ?? '', content, now);
    if (!this.crypto) {
      res.type('application/xml').send(xml);
      return;
    }
    const encrypt = this.crypto.encrypt(xml, opened.keyIndex);
    const timestamp = String(now);
    const nonce = String(randomInt(100_000_000, 999_999_999));
    const signature = wechatSignature(this.config.WECHAT_TOKEN, timestamp, nonce, encrypt);
    res.type('application/xml').send(encryptedReplyXml(encrypt, signature, timestamp, nonce));
  }
}

/** WeChat still waits for this callback's response (it gives up after 5 seconds and retries). */
function canReplyPassively(res: Response): boolean {
  return !res.headersSent && !res.destroyed && res.socket?.destroyed !== true;
}

function queryString(req: Request, name: string): string {
  const value = req.query[name];
  return typeof value === 'string' ? value : '';
}
