/**
 * Messages of one conversation are answered one after another, each from the state the previous one left.
 * Within an instance a promise chain does it (MessageService); across instances a Redis lock per conversation.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ConversationLocks } from '../core/ports.ts';
import { extendIfHeld, releaseIfHeld } from './redis-connection.ts';

export interface RedisConversationLocksOptions {
  /** How long a lock lives if its holder dies mid-turn (ms); a live holder extends it every third of that. */
  ttlMs?: number;
  /** How long to wait for another instance's turn before answering anyway (ms). */
  maxWaitMs?: number;
}

/**
 * One lock per conversation in Redis (SET NX PX, released by its holder only). The lock lives a few seconds and
 * its holder extends it while the turn runs, so a turn may take as long as it needs, and an instance killed
 * mid-turn holds up the conversation's next message for no more than the lock's short life.
 */
export class RedisConversationLocks implements ConversationLocks {
  private readonly ttlMs: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    options: RedisConversationLocksOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
  }

  /**
   * Runs `work` holding the conversation's lock. If Redis cannot be reached, or another instance holds the
   * lock longer than `maxWaitMs`, the work runs anyway: a citizen is answered rather than kept waiting.
   */
  async run<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}conversation-lock:${conversationId}`;
    const token = randomBytes(9).toString('base64url');
    const held = await this.acquire(key, token);
    const keepAlive = held ? setInterval(() => void extendIfHeld(this.redis, key, token, this.ttlMs), this.ttlMs / 3) : undefined;
    try {
      return await work();
    } finally {
      clearInterval(keepAlive);
      if (held) await releaseIfHeld(this.redis, key, token);
    }
  }

  private async acquire(key: string, token: string): Promise<boolean> {
    const deadline = Date.now() + this.maxWaitMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        if ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) === 'OK') return true;
      } catch {
        return false;
      }
      if (Date.now() + wait > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
