/** The Wechaty channel: a personal WeChat or WeCom account, driven through any Wechaty puppet. */
import { ConfigError, parseEnv } from '../../src/config.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import type { WechatyPuppetInstance } from './adapter.ts';
import { wechatyConfigSchema } from './config.ts';

export interface WechatyChannelOptions {
  /** A ready puppet to use instead of WECHATY_PUPPET (tests pass wechaty-puppet-mock); turns the channel on. */
  puppet?: WechatyPuppetInstance;
  maxTextLength?: number;
}

export function createWechatyChannel(options: WechatyChannelOptions = {}): ChannelPlugin {
  return {
    name: 'wechaty',
    async create(env, deps) {
      const config = parseEnv(wechatyConfigSchema, env);
      const puppet = options.puppet ?? config.WECHATY_PUPPET;
      if (!puppet) return null;
      if (deps.clustered) {
        throw new ConfigError(
          'the Wechaty channel cannot run on several instances (REDIS_URL is set): one WeChat account logs in on one client. Run it on a single instance, without REDIS_URL (README "Running several instances").',
        );
      }
      // wechaty is imported only when the channel is configured.
      const { WechatyAdapter } = await import('./adapter.ts');
      return new WechatyAdapter({ puppet, token: config.WECHATY_PUPPET_TOKEN, name: config.WECHATY_NAME, maxTextLength: options.maxTextLength }, deps);
    },
  };
}

/** Reads WECHATY_PUPPET, WECHATY_PUPPET_TOKEN and WECHATY_NAME; off unless WECHATY_PUPPET is set. */
export const wechatyChannel = createWechatyChannel();
