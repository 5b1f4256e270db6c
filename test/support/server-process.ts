/**
 * Runs the real server (`node bin/huiying.js serve`) as a child process on loopback, for the crash test and
 * the load, crash and soak benchmarks: a fixed port (so it survives restarts), a temp database, the Telegram
 * channel in webhook mode against a fake Bot API, rate limits off.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The fake bot's token and the webhook secret the children are started with. */
export const BENCH_TELEGRAM_TOKEN = '123456789:BENCH-token_for-loopback';
export const BENCH_WEBHOOK_SECRET = 'bench-webhook-secret';
const ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcessOptions {
  /** Folder of the database (`huiying.db`) and its key file. */
  dir: string;
  port: number;
  /** Root of the fake Telegram Bot API; without it the Telegram channel stays off. */
  telegramApiRoot?: string;
  /** More environment (KNOWLEDGE_DIR, MODEL_CACHE_DIR, LOG_LEVEL, …). */
  env?: NodeJS.ProcessEnv;
  /** Options for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** How long to wait for /readyz (training a model on a cold cache takes a while). */
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) when the process ended. */
  exited: Promise<number | string>;
  /** What the process wrote to stderr (for failure messages). */
  stderr(): string;
  /** Resident set size of the server process in bytes (Linux /proc), 0 once it ended. */
  rss(): number;
  /** CPU time the server process has used (user + system, all its threads) in ms, 0 once it ended. */
  cpuMs(): number;
  /** SIGKILL: the crash. */
  kill9(): Promise<void>;
  /** SIGTERM: the graceful shutdown; resolves with the exit code. */
  stop(): Promise<number | string>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/** Starts the server and waits until `/readyz` answers 200. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    PORT: String(options.port),
    HOST: '127.0.0.1',
    DATABASE_PATH: join(options.dir, 'huiying.db'),
    LOG_LEVEL: 'warn',
    WEB_DEMO_PORTAL: 'false',
    WEB_RATE_LIMIT_PER_MINUTE: '1000000',
    WEB_MAX_CONNECTIONS_PER_IP: '0',
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_CONVERSATION_PER_MINUTE: '0',
    ...(options.telegramApiRoot
      ? {
          TELEGRAM_BOT_TOKEN: BENCH_TELEGRAM_TOKEN,
          TELEGRAM_MODE: 'webhook',
          TELEGRAM_WEBHOOK_URL: `${url}/channels/telegram/webhook`,
          TELEGRAM_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
          TELEGRAM_API_ROOT: options.telegramApiRoot,
        }
      : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(ROOT, 'bin/huiying.js'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  for (;;) {
    if (ended) throw new Error(`the server exited before it was ready:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready in time:\n${stderr}`);
    }
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    exited,
    stderr: () => stderr,
    rss: () => residentBytes(child.pid),
    cpuMs: () => cpuMillis(child.pid),
    kill9: async () => {
      if (!ended) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (!ended) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Resident set size of a process in bytes, from /proc (0 when it is gone or not on Linux). */
export function residentBytes(pid: number | undefined): number {
  return statusBytes(pid, 'VmRSS');
}

/** The highest resident set size a process has had, in bytes (0 when it is gone or not on Linux). */
export function peakResidentBytes(pid: number | undefined): number {
  return statusBytes(pid, 'VmHWM');
}

/** A size in kB from /proc/<pid>/status, in bytes, or 0. */
function statusBytes(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return 0;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** User + system CPU time of a process in ms, from /proc (0 when it is gone or not on Linux). */
export function cpuMillis(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
