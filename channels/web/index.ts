/** The web widget channel (placeholder until the widget lands). */
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';

export const webChannel: ChannelPlugin = {
  name: 'web',
  create: () => null,
};
