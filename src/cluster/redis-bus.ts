/** The cluster bus on Redis pub/sub: one connection publishes and runs commands, one listens. */
import type { Redis } from 'ioredis';
import type { BusHandler, ClusterBus } from './bus.ts';
import { redactedUrl } from '../privacy/redacted-url.ts';
import { connectRedis, redisProblem } from './redis-connection.ts';

export class RedisBus implements ClusterBus {
  /** Commands and publishing (also lent to the rate limits, leases and the token cache). */
  readonly redis: Redis;
  private readonly listener: Redis;
  private readonly handlers = new Map<string, Set<BusHandler>>();
  private lastError: string | null = null;

  private constructor(
    url: string,
    readonly instanceId: string,
    /** Prefix of every channel and key of this deployment. */
    readonly prefix: string,
    onProblem: (problem: string) => void,
  ) {
    this.redis = connectRedis(url, `huiying-${instanceId}`);
    this.listener = connectRedis(url, `huiying-${instanceId}-listen`);
    for (const connection of [this.redis, this.listener]) {
      connection.on('error', (err: Error) => {
        const first = this.lastError === null;
        this.lastError = err.message;
        if (first) onProblem(`redis at ${redactedUrl(url)}: ${err.message}`);
      });
      connection.on('ready', () => (this.lastError = null));
    }
    // Channels whose subscription failed while Redis was away are subscribed again once it is back.
    this.listener.on('ready', () => {
      if (this.handlers.size > 0) this.listener.subscribe(...this.handlers.keys()).catch(() => undefined);
    });
    this.listener.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) handler(message);
    });
  }

  /**
   * Connects to REDIS_URL. A Redis that cannot be reached yet is no reason to fail: the connections keep
   * trying, readiness reports it and what needs Redis degrades, so `onProblem` hears of it once per outage.
   */
  static async connect(url: string, instanceId: string, prefix: string, onProblem: (problem: string) => void): Promise<RedisBus> {
    const bus = new RedisBus(url, instanceId, prefix, onProblem);
    await Promise.all([bus.redis.connect().catch(() => undefined), bus.listener.connect().catch(() => undefined)]);
    return bus;
  }

  async publish(channel: string, message: string): Promise<number> {
    return this.redis.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, handler: BusHandler): Promise<void> {
    const key = this.prefix + channel;
    let set = this.handlers.get(key);
    if (!set) {
      this.handlers.set(key, (set = new Set()));
      set.add(handler);
      // ioredis subscribes again by itself after a reconnect (autoResubscribe).
      await this.listener.subscribe(key).catch(() => undefined);
      return;
    }
    set.add(handler);
  }

  async unsubscribe(channel: string, handler: BusHandler): Promise<void> {
    const key = this.prefix + channel;
    const set = this.handlers.get(key);
    if (!set) return;
    set.delete(handler);
    if (set.size > 0) return;
    this.handlers.delete(key);
    await this.listener.unsubscribe(key).catch(() => undefined);
  }

  problem(): string | null {
    return redisProblem(this.redis, this.lastError) ?? redisProblem(this.listener, this.lastError);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    this.redis.disconnect();
    this.listener.disconnect();
  }
}
