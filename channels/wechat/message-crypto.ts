/**
 * WeChat's callback signatures and safe-mode (安全模式) message encryption: AES-256-CBC with the
 * EncodingAESKey, IV = first 16 bytes of the key, PKCS#7 padding to 32-byte blocks, and the plaintext
 * laid out as 16 random bytes + 4-byte big-endian length + XML + AppID.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BLOCK = 32;

/** SHA1 hex over the parts sorted and concatenated: `signature` (token, timestamp, nonce) and `msg_signature` (plus Encrypt). */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Constant-time comparison of a signature the request carried with the expected one. */
export function signatureMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given.toLowerCase()), Buffer.from(expected));
}

/** The 32-byte AES key from a 43-character EncodingAESKey. */
export function aesKeyFromEncodingKey(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes');
  return key;
}

export class DecryptError extends Error {
  override name = 'DecryptError';
}

/** One decrypted message and the index of the key that opened it (0 current, 1 previous). */
export interface Decrypted {
  xml: string;
  keyIndex: number;
}

/** Encrypts and decrypts callback payloads for one AppID, trying each key in turn (current first) on the way in. */
export class MessageCrypto {
  private readonly keys: Buffer[];

  constructor(
    encodingAesKeys: readonly string[],
    private readonly appId: string,
  ) {
    if (encodingAesKeys.length === 0) throw new Error('at least one EncodingAESKey is needed');
    this.keys = encodingAesKeys.map(aesKeyFromEncodingKey);
  }

  /** Base64 ciphertext of `xml`; `random` (16 bytes) is only fixed by tests reproducing known vectors. */
  encrypt(xml: string, keyIndex = 0, random: Buffer = randomBytes(16)): string {
    const key = this.keys[keyIndex] ?? this.keys[0]!;
    const body = Buffer.from(xml, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.appId, 'utf8')]);
    const pad = BLOCK - (plain.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  }

  /** The XML inside `encrypted`; throws DecryptError when no key opens it or it is for another AppID. */
  decrypt(encrypted: string): Decrypted {
    const data = Buffer.from(encrypted, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) throw new DecryptError('ciphertext is not whole AES blocks');
    for (const [keyIndex, key] of this.keys.entries()) {
      const xml = this.open(data, key);
      if (xml !== null) return { xml, keyIndex };
    }
    throw new DecryptError('no EncodingAESKey opens this message, or it is for another AppID');
  }

  private open(data: Buffer, key: Buffer): string | null {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      return null;
    }
    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK || pad > plain.length) return null;
    const unpadded = plain.subarray(0, plain.length - pad);
    if (unpadded.length < 20) return null;
    const length = unpadded.readUInt32BE(16);
    if (20 + length > unpadded.length) return null;
    const appId = unpadded.subarray(20 + length).toString('utf8');
    if (appId !== this.appId) return null;
    return unpadded.subarray(20, 20 + length).toString('utf8');
  }
}
