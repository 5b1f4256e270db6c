/** The WeChat Official Account (公众号) channel: on when WECHAT_TOKEN is set. */
import { parseEnv } from '../../src/config.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { wechatEnvSchema } from './config.ts';

/** The adapter (and its XML parser) is imported only when the channel is configured. */
export const wechatChannel: ChannelPlugin = {
  name: 'wechat',
  async create(env, deps) {
    if (!env.WECHAT_TOKEN) return null;
    const config = parseEnv(wechatEnvSchema, env);
    const { WeChatAdapter } = await import('./adapter.ts');
    return new WeChatAdapter(config, deps);
  },
};
