/** Starts a real Huiying server for a test: temp SQLite file, the sample knowledge base, port 0 on loopback. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { ChannelPlugin } from '../../src/server/channel-adapter.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SHARED_MODEL_CACHE } from './paths.ts';

export interface TestServer extends Omit<RunningServer, 'store'> {
  /** A test server's store is the SQLite file in `dir` (tests also read its rows directly). */
  store: SqliteStore;
  dir: string;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  channels?: readonly ChannelPlugin[];
  /** Channel settings. */
  env?: NodeJS.ProcessEnv;
  /**
   * Core settings on top of the test defaults (e.g. ESCALATION_POLICY). Rate limits are off by default, as
   * tests send many messages from one loopback address; tests of the limits set RATE_LIMIT_* here. Engine
   * threads are off too (each would load its own model); tests of them set ENGINE_THREADS.
   */
  config?: Record<string, string>;
  /** Reuse a folder (and its database) from an earlier server: a restart. */
  dir?: string;
  /** The clock of the human side. */
  now?: () => Date;
  /** Where the server logs (default: silent, or TEST_LOG_LEVEL). */
  logger?: Logger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'huiying-test-'));
  const config = loadConfig({
    PORT: '0',
    DATABASE_PATH: join(dir, 'test.db'),
    MODEL_CACHE_DIR: SHARED_MODEL_CACHE,
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
    ENGINE_THREADS: '0',
    ...options.config,
  });
  const running = await startServer(config, {
    logger: options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    channels: options.channels ?? [],
    env: options.env ?? {},
    now: options.now,
  });
  if (!(running.store instanceof SqliteStore)) {
    await running.close();
    throw new Error('a test server runs on SQLite (DATABASE_PATH), not on DATABASE_URL');
  }
  return {
    ...running,
    store: running.store,
    dir,
    stop: async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(private current: Date) {}

  readonly now = (): Date => new Date(this.current);

  set(at: Date | string): void {
    this.current = new Date(at);
  }

  advanceMinutes(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}

/** Polls until `probe` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
