/**
 * What the instances of one deployment share beyond the database: with REDIS_URL, a Redis for the bus (live
 * relay, knowledge-base changes), the leases of once-per-deployment work and shared counters (rate limits,
 * login throttling); without it, this instance alone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { LocalBus, type ClusterBus } from './bus.ts';
import { LocalLeases, RedisLeases, type Leases } from './leases.ts';
import { RedisBus } from './redis-bus.ts';
import { redactedUrl } from '../privacy/redacted-url.ts';

export interface Cluster {
  bus: ClusterBus;
  leases: Leases;
  /** The connection for shared counters, or null for a single instance. */
  redis: Redis | null;
  /** Prefix of this deployment's Redis keys and channels. */
  prefix: string;
  /** Null while what the instances share is reachable, else why not (for readiness). */
  problem(): string | null;
  close(): Promise<void>;
}

export interface ClusterSettings {
  REDIS_URL?: string | undefined;
  REDIS_PREFIX: string;
  INSTANCE_ID?: string | undefined;
}

/** A deployment of one instance: nothing is shared. */
export function singleInstance(): Cluster {
  const bus = new LocalBus();
  return { bus, leases: new LocalLeases(), redis: null, prefix: '', problem: () => null, close: () => bus.close() };
}

/** Joins the deployment's Redis (REDIS_URL), or runs alone without one. */
export async function joinCluster(settings: ClusterSettings, onProblem: (problem: string) => void): Promise<Cluster> {
  if (!settings.REDIS_URL) return singleInstance();
  const instanceId = settings.INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const bus = await RedisBus.connect(settings.REDIS_URL, instanceId, settings.REDIS_PREFIX, onProblem);
  const leases = new RedisLeases(bus.redis, instanceId, settings.REDIS_PREFIX);
  return {
    bus,
    leases,
    redis: bus.redis,
    prefix: settings.REDIS_PREFIX,
    problem: () => bus.problem(),
    close: async () => {
      await leases.releaseAll();
      await bus.close();
    },
  };
}

/** Thrown when this instance's data key is not the one the other instances of the deployment use. */
export class SharedKeyError extends Error {
  override name = 'SharedKeyError';
}

/**
 * Every instance must seal with the same key, or staff on one could not read what another sealed. The first
 * instance records a fingerprint of its key (SHA-256 of a key derived for this, never the key); an instance
 * with another key is refused. Returns false when Redis could not be asked (the check is left for later).
 */
export async function checkSharedKey(cluster: Cluster, keyFingerprintSource: Buffer, url: string): Promise<boolean> {
  if (!cluster.redis) return true;
  const fingerprint = createHash('sha256').update(keyFingerprintSource).digest('hex').slice(0, 32);
  const key = `${cluster.prefix}data-key-fingerprint`;
  let recorded: string | null;
  try {
    await cluster.redis.set(key, fingerprint, 'NX');
    recorded = await cluster.redis.get(key);
  } catch {
    return false;
  }
  if (recorded !== fingerprint) {
    throw new SharedKeyError(
      `this instance's DATA_KEY is not the one the other instances sharing ${redactedUrl(url)} (prefix ${cluster.prefix}) use: ` +
        'give every instance the same DATA_KEY (openssl rand -base64 32, once) — without it each machine makes a key file of its own',
    );
  }
  return true;
}
