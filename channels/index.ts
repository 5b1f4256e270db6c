/** Every channel Huiying ships; each stays off unless its environment variables configure it. */
import type { ChannelPlugin } from '../src/server/channel-adapter.ts';
import { botframeworkChannel } from './botframework/index.ts';
import { telegramChannel } from './telegram/index.ts';
import { webChannel } from './web/index.ts';
import { wechatChannel } from './wechat/index.ts';
import { wechatyChannel } from './wechaty/index.ts';

export const allChannels: readonly ChannelPlugin[] = [webChannel, telegramChannel, botframeworkChannel, wechatChannel, wechatyChannel];
