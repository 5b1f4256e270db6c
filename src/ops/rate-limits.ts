/**
 * Limits on what citizens send: messages a minute per client address (HTTP API and web widget together) and
 * per conversation (every channel). A limit of 0 is off. The counts live in this process's memory, or in Redis
 * (REDIS_URL) where every instance of a deployment counts together.
 */
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { memoryLimiters, type LimiterFactory } from '../cluster/limiters.ts';
import { LimiterStore } from './limiter-store.ts';
import type { Logger } from '../logger.ts';

const WINDOW_MS = 60_000;

export interface RateLimitSettings {
  ipPerMinute: number;
  conversationPerMinute: number;
  /** Express "trust proxy" value, so client addresses behind a proxy come from X-Forwarded-For. */
  trustProxy?: string;
}

/**
 * What to do with a conversation's message: `ok` handle it; `notify` it is the first one over the limit, so
 * tell the citizen once (platforms) or answer 429 (HTTP); `drop` ignore it quietly.
 */
export type ConversationVerdict = 'ok' | 'notify' | 'drop';

/** What a citizen on a platform reads when their conversation is over the limit (once a minute at most). */
export const TOO_FAST_TEXT = '您发送消息过于频繁，请稍等一分钟再发。You are sending messages too quickly; please wait a minute and try again.';

/** Express's own "trust proxy" value for a TRUST_PROXY setting. */
export function trustProxyValue(raw: string | undefined): boolean | number | string {
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

export class CitizenRateLimits {
  /** Express middleware counting one message per request from the client's address; 429 past the limit. */
  readonly perAddress: RequestHandler;
  private readonly addressHits: LimiterStore;
  private readonly conversationHits: LimiterStore;
  private readonly trust: (address: string, hop: number) => boolean;

  /** `limiters`: where the counts live (default this process's memory); `shared` when that is Redis. */
  constructor(
    readonly settings: RateLimitSettings,
    limiters: LimiterFactory = memoryLimiters,
    shared = false,
  ) {
    const seconds = WINDOW_MS / 1000;
    this.addressHits = new LimiterStore(limiters('citizen_address', Math.max(1, settings.ipPerMinute), seconds), 'citizen_address', shared);
    this.conversationHits = new LimiterStore(limiters('citizen_conversation', Math.max(1, settings.conversationPerMinute), seconds), 'citizen_conversation', shared);
    // Express compiles its "trust proxy" setting into the function req.ip uses; WebSocket upgrades need it too.
    const probe = express();
    probe.set('trust proxy', trustProxyValue(settings.trustProxy));
    this.trust = probe.get('trust proxy fn') as (address: string, hop: number) => boolean;
    const limit = settings.ipPerMinute;
    if (limit === 0) {
      this.perAddress = (_req, _res, next) => next();
      return;
    }
    this.perAddress = rateLimit({
      windowMs: WINDOW_MS,
      limit,
      store: this.addressHits,
      // A counter store that fails lets the message through rather than refusing every citizen.
      passOnStoreError: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
      handler: (_req, res) => {
        res.status(429).json({ error: 'rate_limited', message: this.addressMessage() });
      },
    });
  }

  /** The client's address of a raw request (a WebSocket upgrade), as express would compute req.ip. */
  addressOf(req: IncomingMessage): string {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .reverse();
    const hops = [req.socket.remoteAddress ?? 'unknown', ...forwarded];
    const index = hops.findIndex((address, hop) => hop === hops.length - 1 || !this.trust(address, hop));
    return ipKeyGenerator(hops[index] ?? 'unknown');
  }

  /** Counts one message from `addressKey` (from addressOf); false when it is over the limit. */
  async allowAddress(addressKey: string): Promise<boolean> {
    if (this.settings.ipPerMinute === 0) return true;
    const { totalHits } = await this.addressHits.increment(addressKey);
    return totalHits <= this.settings.ipPerMinute;
  }

  /** Counts one message of the conversation (the core's conversation id). */
  async conversation(conversationId: string): Promise<ConversationVerdict> {
    const limit = this.settings.conversationPerMinute;
    if (limit === 0) return 'ok';
    const { totalHits } = await this.conversationHits.increment(conversationId);
    return totalHits <= limit ? 'ok' : totalHits === limit + 1 ? 'notify' : 'drop';
  }

  addressMessage(): string {
    return `too many messages: at most ${this.settings.ipPerMinute} a minute from one address; please wait a moment and try again`;
  }

  conversationMessage(): string {
    return `too many messages: at most ${this.settings.conversationPerMinute} a minute in one conversation; please wait a moment and try again`;
  }
}

/**
 * For platform channels, which must acknowledge every delivery (or the platform retries): true when the
 * conversation is over its limit and the message must not be handled. The first message over the limit is
 * answered once with TOO_FAST_TEXT through `tell`; the rest of the minute's messages are dropped.
 */
export async function overConversationLimit(
  deps: { limits?: CitizenRateLimits; logger: Logger },
  conversationId: string,
  tell: (text: string) => Promise<unknown> | void,
): Promise<boolean> {
  const verdict = deps.limits ? await deps.limits.conversation(conversationId) : 'ok';
  if (verdict === 'ok') return false;
  if (verdict === 'notify') {
    deps.logger.warn({ perMinute: deps.limits?.settings.conversationPerMinute }, 'conversation over its rate limit: citizen told, messages dropped for the rest of the minute');
    await tell(TOO_FAST_TEXT);
  } else {
    deps.logger.debug('conversation over its rate limit: message dropped');
  }
  return true;
}
