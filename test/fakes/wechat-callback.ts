/**
 * Plays WeChat's servers calling the bot's callback URL: signed requests, safe-mode encryption, and
 * the passive reply read back (signature checked, decrypted). Written from the protocol description,
 * independently of channels/wechat, so the two check each other.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

export interface CallbackOptions {
  /** The bot's callback URL, e.g. `${server.url}/channels/wechat`. */
  url: string;
  token: string;
  appId: string;
  /** Safe mode when set. */
  encodingAesKey?: string;
  /** The account's original id (ToUserName). */
  accountId?: string;
}

/** The bot's answer to one callback as WeChat would read it. */
export interface CallbackResponse {
  status: number;
  /** The raw body ("success", an XML reply, or an error text). */
  body: string;
  /** The passive reply's fields (decrypted in safe mode), when the bot replied with a message. */
  reply?: Record<string, string>;
}

export interface PostOptions {
  /** Encrypt with this key instead of the configured one (key rotation). */
  encodingAesKey?: string;
  /** Send a wrong value for this signature. */
  forge?: 'signature' | 'msg_signature';
  /** In safe mode, send the XML unencrypted anyway. */
  plaintext?: boolean;
}

const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true });

export const sha1 = (...parts: string[]): string => createHash('sha1').update([...parts].sort().join('')).digest('hex');

const keyOf = (encodingAesKey: string): Buffer => Buffer.from(`${encodingAesKey}=`, 'base64');

function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** Encrypts like WeChat: random(16) + length(4, BE) + XML + AppID, PKCS#7 to 32 bytes, AES-256-CBC, IV = key[0..16). */
export function wechatEncrypt(encodingAesKey: string, appId: string, xml: string): string {
  const key = keyOf(encodingAesKey);
  const body = Buffer.from(xml);
  const head = Buffer.alloc(20);
  randomBytes(16).copy(head);
  head.writeUInt32BE(body.length, 16);
  const plain = Buffer.concat([head, body, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export function wechatDecrypt(encodingAesKey: string, encrypted: string): { xml: string; appId: string } {
  const key = keyOf(encodingAesKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const unpadded = plain.subarray(0, plain.length - plain[plain.length - 1]!);
  const length = unpadded.readUInt32BE(16);
  return { xml: unpadded.subarray(20, 20 + length).toString(), appId: unpadded.subarray(20 + length).toString() };
}

export function fieldsOf(xml: string): Record<string, string> {
  return (parser.parse(xml) as { xml: Record<string, string> }).xml;
}

/** The XML of a callback message; values are CDATA except CreateTime and MsgId, as WeChat writes them. */
export function callbackXml(fields: Record<string, string>): string {
  const inner = Object.entries(fields)
    .map(([name, value]) => (name === 'CreateTime' || name === 'MsgId' ? `<${name}>${value}</${name}>` : `<${name}>${cdata(value)}</${name}>`))
    .join('');
  return `<xml>${inner}</xml>`;
}

export class WeChatCallbackClient {
  private clock = 1_700_000_000;
  readonly accountId: string;

  constructor(private readonly options: CallbackOptions) {
    this.accountId = options.accountId ?? 'gh_0123456789ab';
  }

  /** A distinct CreateTime for each message, as seconds pass between a citizen's messages. */
  nextCreateTime(): string {
    return String(++this.clock);
  }

  async text(openId: string, content: string, msgId: string): Promise<CallbackResponse> {
    return this.post({ ToUserName: this.accountId, FromUserName: openId, CreateTime: this.nextCreateTime(), MsgType: 'text', Content: content, MsgId: msgId });
  }

  async event(openId: string, event: string, eventKey?: string, createTime = this.nextCreateTime()): Promise<CallbackResponse> {
    const fields: Record<string, string> = { ToUserName: this.accountId, FromUserName: openId, CreateTime: createTime, MsgType: 'event', Event: event };
    if (eventKey !== undefined) fields.EventKey = eventKey;
    return this.post(fields);
  }

  /** The console's URL check: GET with a signature and `echostr`. */
  async verifyUrl(echostr: string, badSignature = false): Promise<{ status: number; body: string }> {
    const { timestamp, nonce } = this.stamp();
    const signature = badSignature ? '0'.repeat(40) : sha1(this.options.token, timestamp, nonce);
    const query = new URLSearchParams({ signature, timestamp, nonce, echostr });
    const res = await fetch(`${this.options.url}?${query}`);
    return { status: res.status, body: await res.text() };
  }

  /** Posts a message with the given fields, encrypted in safe mode, and reads the reply back. */
  async post(fields: Record<string, string>, options: PostOptions = {}): Promise<CallbackResponse> {
    return this.postRaw(callbackXml(fields), options, fields.FromUserName);
  }

  /** Posts an arbitrary plaintext body (wrapped and encrypted in safe mode). */
  async postRaw(xml: string, options: PostOptions = {}, openId = 'o-unknown'): Promise<CallbackResponse> {
    const { token, appId } = this.options;
    const aesKey = options.encodingAesKey ?? this.options.encodingAesKey;
    const { timestamp, nonce } = this.stamp();
    const signer = (which: PostOptions['forge']): string => (options.forge === which ? 'forged' : token);
    const query = new URLSearchParams({ signature: sha1(signer('signature'), timestamp, nonce), timestamp, nonce, openid: openId });
    let body = xml;
    if (aesKey && !options.plaintext) {
      const encrypt = wechatEncrypt(aesKey, appId, xml);
      body = `<xml><ToUserName>${cdata(this.accountId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', sha1(signer('msg_signature'), timestamp, nonce, encrypt));
    }
    const res = await fetch(`${this.options.url}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    const text = await res.text();
    return { status: res.status, body: text, reply: res.status === 200 ? this.readReply(text, aesKey) : undefined };
  }

  private readReply(body: string, aesKey: string | undefined): Record<string, string> | undefined {
    if (!body.startsWith('<xml>')) return undefined;
    const outer = fieldsOf(body);
    if (!aesKey) return outer;
    const encrypt = outer.Encrypt ?? '';
    if (outer.MsgSignature !== sha1(this.options.token, outer.TimeStamp ?? '', outer.Nonce ?? '', encrypt)) {
      throw new Error('the bot signed its reply wrongly');
    }
    const { xml, appId } = wechatDecrypt(aesKey, encrypt);
    if (appId !== this.options.appId) throw new Error(`the reply is for AppID ${appId}`);
    return fieldsOf(xml);
  }

  private stamp(): { timestamp: string; nonce: string } {
    return { timestamp: String(Math.floor(Date.now() / 1000)), nonce: String(100000 + Math.floor(Math.random() * 900000)) };
  }
}
