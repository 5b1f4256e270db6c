/** The Bot Framework channel (Teams, Web Chat, Direct Line through Azure Bot Service); off unless configured. */
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { loadBotFrameworkConfig } from './config.ts';

/** botbuilder (about 35 MB) is imported only when the channel is configured. */
export const botframeworkChannel: ChannelPlugin = {
  name: 'botframework',
  async create(env, deps) {
    const config = loadBotFrameworkConfig(env);
    if (!config) return null;
    const { BotFrameworkAdapter } = await import('./adapter.ts');
    return new BotFrameworkAdapter(config, deps);
  },
};
