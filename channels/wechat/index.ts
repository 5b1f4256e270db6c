/** The WeChat Official Account (公众号) channel: on when WECHAT_TOKEN is set. */
import { parseEnv } from '../../src/config.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { WeChatAdapter } from './adapter.ts';
import { wechatEnvSchema } from './config.ts';

export const wechatChannel: ChannelPlugin = {
  name: 'wechat',
  create: (env, deps) => (env.WECHAT_TOKEN ? new WeChatAdapter(parseEnv(wechatEnvSchema, env), deps) : null),
};
