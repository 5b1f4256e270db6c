/** The Bot Framework channel (Teams, Web Chat, Direct Line through Azure Bot Service); off unless configured. */
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { BotFrameworkAdapter } from './adapter.ts';
import { loadBotFrameworkConfig } from './config.ts';
import { CHANNEL } from './inbound.ts';

export const botframeworkChannel: ChannelPlugin = {
  name: CHANNEL,
  create(env, deps) {
    const config = loadBotFrameworkConfig(env);
    return config ? new BotFrameworkAdapter(config, deps) : null;
  },
};
