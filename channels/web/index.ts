/** The web widget channel: on by default (`WEB_WIDGET_ENABLED=false` turns it off). */
import { readFileSync } from 'node:fs';
import { parseEnv } from '../../src/config.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { WebChannelAdapter } from './adapter.ts';
import { webConfigSchema } from './config.ts';

const asset = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

export const webChannel: ChannelPlugin = {
  name: 'web',
  create(env, deps) {
    const config = parseEnv(webConfigSchema, env);
    if (!config.WEB_WIDGET_ENABLED) return null;
    return new WebChannelAdapter(config, deps, {
      widgetJs: asset('./widget/widget.js'),
      portalHtml: config.WEB_DEMO_PORTAL ? asset('./portal/index.html') : null,
      portalJs: config.WEB_DEMO_PORTAL ? asset('./portal/portal.js') : undefined,
    });
  },
};
