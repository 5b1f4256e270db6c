/** Messages between the instances of one deployment: Redis pub/sub with REDIS_URL, this process alone without. */

export type BusHandler = (message: string) => void;

export interface ClusterBus {
  /** This instance's id; what it publishes carries it, so that it can skip its own messages. */
  readonly instanceId: string;
  /** Delivers `message` to the subscribers of `channel` on every instance; resolves with how many instances had one. */
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, handler: BusHandler): Promise<void>;
  unsubscribe(channel: string, handler: BusHandler): Promise<void>;
  /** Null while messages flow, else why not, in words (for readiness). */
  problem(): string | null;
  close(): Promise<void>;
}

/** The bus of a single instance: subscribers in this process only. */
export class LocalBus implements ClusterBus {
  readonly instanceId = 'local';
  private readonly handlers = new Map<string, Set<BusHandler>>();

  async publish(channel: string, message: string): Promise<number> {
    const set = this.handlers.get(channel);
    if (!set || set.size === 0) return 0;
    for (const handler of [...set]) queueMicrotask(() => handler(message));
    return 1;
  }

  async subscribe(channel: string, handler: BusHandler): Promise<void> {
    let set = this.handlers.get(channel);
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
  }

  async unsubscribe(channel: string, handler: BusHandler): Promise<void> {
    const set = this.handlers.get(channel);
    set?.delete(handler);
    if (set?.size === 0) this.handlers.delete(channel);
  }

  problem(): string | null {
    return null;
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
