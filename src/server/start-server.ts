/** Starts the server: wires storage, the engine, the HTTP app and whichever channels the composition root offers. */
import { watch, type FSWatcher } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { buildEngine } from '../bot-runtime.ts';
import type { Config } from '../config.ts';
import { MessageService } from '../core/message-service.ts';
import { OutboundRouter } from '../core/outbound-router.ts';
import type { ChannelAdapter, ChannelPlugin } from './channel-adapter.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createApp } from './app.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

export interface RunningServer {
  url: string;
  server: Server;
  service: MessageService;
  store: SqliteStore;
  /** Sends later replies (staff, late answers) through the channel each conversation came from. */
  outbound: OutboundRouter;
  channels: ChannelAdapter[];
  /** Reloads the knowledge base; on failure the running engine stays and the error is returned. */
  reload(): Promise<Error | null>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** The channels to offer; each stays off unless `env` configures it. */
  channels?: readonly ChannelPlugin[];
  /** Where channels read their settings (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const engine = await buildEngine(config);
  const store = new SqliteStore(config.DATABASE_PATH);
  const service = new MessageService(store, engine);
  service.on('demand', (d) => logger.info({ demand: { reason: d.reason, channel: d.channel, text: d.text } }, 'demand signal'));
  const outbound = new OutboundRouter(store);
  const channels: ChannelAdapter[] = [];
  try {
    for (const plugin of options.channels ?? []) {
      const adapter = await plugin.create(options.env ?? process.env, { service, store, logger: logger.child({ channel: plugin.name }) });
      if (!adapter) continue;
      channels.push(adapter);
      outbound.register(adapter);
    }
  } catch (err) {
    store.close();
    throw err;
  }
  const app = createApp({ service, store, logger, maxMessageLength: config.MAX_MESSAGE_LENGTH, channels });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  for (const channel of channels) channel.attach?.(server);
  for (const channel of channels) await channel.start?.();
  logger.info(
    { url, entries: engine.knowledgeBase.entries.length, channels: channels.map((c) => c.name), ms: Math.round(performance.now() - started) },
    'huiying is listening',
  );

  let reloading: Promise<Error | null> | null = null;
  const reload = (): Promise<Error | null> => {
    reloading ??= buildEngine(config)
      .then((next) => {
        service.setEngine(next);
        logger.info({ entries: next.knowledgeBase.entries.length }, 'knowledge base reloaded');
        return null;
      })
      .catch((err: Error) => {
        logger.error({ err: err.message }, 'knowledge base reload failed; still serving the last good one');
        return err;
      })
      .finally(() => {
        reloading = null;
      });
    return reloading;
  };
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(config.KNOWLEDGE_DIR, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 500);
    });
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'cannot watch the knowledge folder; use SIGHUP to reload');
  }
  const onHup = (): void => void reload();
  process.on('SIGHUP', onHup);

  return {
    url,
    server,
    service,
    store,
    outbound,
    channels,
    reload,
    close: async () => {
      for (const channel of channels) await channel.stop?.().catch(() => undefined);
      clearTimeout(timer);
      watcher?.close();
      process.off('SIGHUP', onHup);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      store.close();
    },
  };
}
