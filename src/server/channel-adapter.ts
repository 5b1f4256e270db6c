/**
 * The one shape every channel adapter has. Adapters translate (platform payload in, core message in;
 * core replies out, platform payload out) and live in `channels/`; the core never imports them.
 */
import type { Server } from 'node:http';
import type { Router } from 'express';
import type { ReplySender } from '../core/delivery.ts';
import type { MessageService } from '../core/message-service.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../logger.ts';
import type { CitizenRateLimits } from '../ops/rate-limits.ts';
import type { ClusterBus } from '../cluster/bus.ts';

/** What a channel can show; rendering degrades to plain text where a feature is missing. */
export interface ChannelCapabilities {
  /** Choices as tappable buttons (else the numbered list in the text is the choice). */
  buttons: boolean;
  /** Links as cards or clickable anchors (else "title: url" lines). */
  richLinks: boolean;
  /** Longest text one platform message may carry; longer replies are split. */
  maxTextLength: number;
}

/** What an adapter gets from the composition root. */
export interface ChannelDeps {
  service: MessageService;
  store: Store;
  logger: Logger;
  /** Messages a minute per conversation (and per address on the web widget); absent, nothing is limited. */
  limits?: CitizenRateLimits;
  /** Messages between the instances of the deployment (absent: this instance alone). */
  bus?: ClusterBus;
  /** True when this instance is one of several (REDIS_URL): channels that allow one client per account refuse to start. */
  clustered?: boolean;
}

export interface ChannelAdapter extends ReplySender {
  readonly capabilities: ChannelCapabilities;
  /** Adds the channel's webhook routes; the router is mounted at `/channels/<name>`. */
  mount?(router: Router): void;
  /** Adds routes at the site root (the web widget's script and the demo portal). */
  mountRoot?(router: Router): void;
  /** Attaches to the listening HTTP server (WebSocket upgrades). */
  attach?(server: Server): void;
  /** Starts a long-running client (long polling, Wechaty); resolves once it runs. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** A channel as the composition root sees it: off unless its environment configures it. */
export interface ChannelPlugin {
  readonly name: string;
  /**
   * The adapter when `env` configures this channel, or null to leave it off. Throws ConfigError (naming
   * the variable) for a bad value.
   */
  create(env: NodeJS.ProcessEnv, deps: ChannelDeps): ChannelAdapter | null | Promise<ChannelAdapter | null>;
}
