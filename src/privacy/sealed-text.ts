/**
 * The citizen's original words, sealed with AES-256-GCM: stored beside the masked text so that only the
 * staff member holding the case can read what the citizen actually wrote (ID and phone numbers they
 * need to help). Everything else sees the masked text.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class TextSealer {
  private constructor(private readonly key: Buffer) {}

  /** From a base64 key of 32 bytes. */
  static fromBase64(key: string): TextSealer {
    const raw = Buffer.from(key, 'base64');
    if (raw.length !== 32) throw new Error('the data key must be 32 bytes in base64 (openssl rand -base64 32)');
    return new TextSealer(raw);
  }

  /** The key from a file, created (readable by the owner only) when it does not exist yet. */
  static fromKeyFile(file: string): TextSealer {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    return TextSealer.fromBase64(readFileSync(file, 'utf8').trim());
  }

  /** A 32-byte key for another purpose (e.g. signing device cookies), derived from this one with HKDF. */
  subkey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `huiying ${purpose}`, 32));
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, all base64url. */
  seal(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The original text, or null when the value was sealed with another key or tampered with. */
  open(sealed: string): string | null {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
