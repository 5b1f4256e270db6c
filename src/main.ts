/** Composition root: the only place that wires storage, the engine, the HTTP server (and later the channels) together. */
import { watch, type FSWatcher } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { buildEngine } from './bot-runtime.ts';
import type { Config } from './config.ts';
import { MessageService } from './core/message-service.ts';
import { createLogger, type Logger } from './logger.ts';
import { createApp } from './server/app.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';

export interface RunningServer {
  url: string;
  server: Server;
  service: MessageService;
  store: SqliteStore;
  /** Reloads the knowledge base; on failure the running engine stays and the error is returned. */
  reload(): Promise<Error | null>;
  close(): Promise<void>;
}

export async function startServer(config: Config, logger: Logger = createLogger(config.LOG_LEVEL)): Promise<RunningServer> {
  const started = performance.now();
  const engine = await buildEngine(config);
  const store = new SqliteStore(config.DATABASE_PATH);
  const service = new MessageService(store, engine);
  service.on('demand', (d) => logger.info({ demand: { reason: d.reason, channel: d.channel, text: d.text } }, 'demand signal'));
  const app = createApp({ service, store, logger, maxMessageLength: config.MAX_MESSAGE_LENGTH });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  logger.info({ url, entries: engine.knowledgeBase.entries.length, ms: Math.round(performance.now() - started) }, 'huiying is listening');

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
    reload,
    close: async () => {
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
