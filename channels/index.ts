/** Every channel Huiying ships; each stays off unless its environment variables configure it. */
import type { ChannelPlugin } from '../src/server/channel-adapter.ts';
import { webChannel } from './web/index.ts';

export const allChannels: readonly ChannelPlugin[] = [webChannel];
