/**
 * Graceful shutdown: stop accepting connections, let the requests in flight finish (up to a timeout), then
 * close what is left. `installSignalHandlers` runs it on SIGTERM/SIGINT for `huiying serve`.
 */
import type { Server, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';

export interface RequestTracker {
  /** Requests being handled now. */
  readonly active: number;
  /** True once draining began: responses then close their connections. */
  readonly draining: boolean;
  /**
   * Stops accepting connections, closes idle keep-alive ones and waits for the requests in flight.
   * Resolves true when they all finished, false when `timeoutMs` passed first.
   */
  drain(timeoutMs: number): Promise<boolean>;
  /** Ends every connection left (and resolves when the server closed). */
  closeAll(): Promise<void>;
}

export function trackRequests(server: Server): RequestTracker {
  const responses = new Set<ServerResponse>();
  let draining = false;
  let notify: (() => void) | null = null;
  let closed: Promise<void> | null = null;

  server.on('request', (_req, res) => {
    responses.add(res);
    if (draining) res.shouldKeepAlive = false;
    res.once('close', () => {
      responses.delete(res);
      if (responses.size === 0) notify?.();
    });
  });

  const stopListening = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
    return closed;
  };

  return {
    get active() {
      return responses.size;
    },
    get draining() {
      return draining;
    },
    async drain(timeoutMs) {
      draining = true;
      void stopListening();
      server.closeIdleConnections();
      // Connections busy now close after their response ("Connection: close"), so clients reconnect elsewhere.
      for (const res of responses) if (!res.headersSent) res.shouldKeepAlive = false;
      if (responses.size === 0) return true;
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          notify = null;
          resolve(false);
        }, timeoutMs);
        notify = () => {
          clearTimeout(timer);
          notify = null;
          // Connections that carried the last requests are idle now.
          server.closeIdleConnections();
          resolve(true);
        };
      });
    },
    async closeAll() {
      draining = true;
      const done = stopListening();
      server.closeAllConnections();
      // A socket some upgrade handler still holds would keep `close` from ever calling back.
      await Promise.race([done, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
    },
  };
}

export interface Closable {
  close(): Promise<void>;
}

/**
 * Closes `running` on the first SIGTERM or SIGINT and exits 0 (1 when closing failed); a second signal exits
 * at once. Returns a function that removes the handlers.
 */
export function installSignalHandlers(running: Closable, logger: Pick<Logger, 'info' | 'error' | 'warn'>, exit: (code: number) => void = process.exit): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'signal received: shutting down gracefully');
    running.close().then(
      () => {
        logger.info('shut down cleanly');
        exit(0);
      },
      (err: Error) => {
        logger.error({ err: err.message }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
