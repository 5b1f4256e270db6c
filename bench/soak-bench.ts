/**
 * `npm run bench:soak`: memory under a long steady load. Starts the server (child process), opens `--sockets`
 * idle widget WebSockets from a second process, sends API messages at `--rate` per second for `--minutes`,
 * prints the server's RSS every `--every` seconds and the verdict: steady when the last third of the samples
 * does not exceed the middle third by more than the allowed noise (5 % or 20 MB), and every socket still open.
 *
 *   npm run bench:soak -- [--minutes 10] [--sockets 10000] [--rate 200] [--every 15] [--knowledge DIR]
 *
 * 10,000 sockets need about 10,100 file descriptors in the server and as many in the socket process: raise the
 * limit first if `ulimit -n` is lower (`ulimit -n 65536`, or LimitNOFILE=65536 in the systemd unit).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { freePort, startServerProcess } from '../test/support/server-process.ts';
import { runHttpLoad } from './support/http-load.ts';
import { MessageMix } from './support/message-mix.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    sockets: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '200' },
    every: { type: 'string', default: '15' },
    knowledge: { type: 'string' },
  },
});
const MINUTES = Number(args.minutes);
const SOCKETS = Number(args.sockets);
const RATE = Number(args.rate);
const EVERY_MS = Number(args.every) * 1000;
const ROOT = resolve(import.meta.dirname, '..');
const MB = 2 ** 20;

function fdLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return Number.NaN;
  }
}

const limit = fdLimit();
if (limit < SOCKETS + 500) {
  console.error(`the open-file limit is ${limit}; ${SOCKETS} sockets need more. Raise it in this shell first: ulimit -n 65536 (the hard limit is \`ulimit -Hn\`; as root it can go higher), or run with --sockets ${Math.max(0, limit - 500)}.`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'huiying-soak-'));
console.log(`bench:soak on ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${MINUTES} min at ${RATE} msgs/s with ${SOCKETS} idle sockets`);
const server = await startServerProcess({
  dir,
  port: await freePort(),
  env: { ...(args.knowledge ? { KNOWLEDGE_DIR: args.knowledge } : {}), MODEL_CACHE_DIR: process.env.MODEL_CACHE_DIR ?? 'data/models' },
});
const mix = new MessageMix();
const samples: { at: number; rss: number }[] = [];
const sample = (label: string): void => {
  const rss = server.rss();
  samples.push({ at: performance.now(), rss });
  console.log(`  ${label.padEnd(28)} RSS ${(rss / MB).toFixed(1)} MB`);
};

let holder: ReturnType<typeof spawn> | undefined;
let exitCode = 0;
try {
  sample('started');
  holder = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/support/idle-sockets.ts'), server.url, String(SOCKETS)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: holder.stdout! });
  const nextLine = (): Promise<{ open: number; failed: number; closed: number }> => new Promise((done) => lines.once('line', (l) => done(JSON.parse(l))));
  const connectStarted = performance.now();
  const connected = await nextLine();
  console.log(`  ${connected.open} sockets open (${connected.failed} failed) in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`);
  sample(`with ${connected.open} sockets`);

  const seconds = MINUTES * 60;
  const ticker = setInterval(() => sample(`${((performance.now() - samples[0]!.at) / 60_000).toFixed(1)} min`), EVERY_MS);
  const load = await runHttpLoad({
    url: server.url,
    path: '/api/v1/messages',
    body: () => {
      const m = mix.take();
      return JSON.stringify({ conversationId: m.conversation, text: m.text, messageId: m.messageId });
    },
    connections: 20,
    amount: Math.round(RATE * seconds),
    overallRate: RATE,
  });
  clearInterval(ticker);
  sample('end of load');
  holder.stdin!.write('count\n');
  const after = await nextLine();

  const rss = samples.slice(2).map((s) => s.rss);
  const third = Math.max(1, Math.floor(rss.length / 3));
  const middle = Math.max(...rss.slice(third, 2 * third));
  const last = Math.max(...rss.slice(-third));
  const growth = last - middle;
  const steady = growth <= Math.max(20 * MB, 0.05 * middle);
  console.log('');
  console.log(`messages: ${load.ok} answered at ${(load.ok / load.seconds).toFixed(0)}/s, p99 ${load.latency.percentile(0.99).toFixed(1)} ms, ${load.errors} errors, ${load.non2xx} non-2xx`);
  console.log(`sockets: ${after.open} of ${connected.open} still open (${after.closed} closed by the server)`);
  console.log(`RSS: peak of the middle third ${(middle / MB).toFixed(1)} MB, of the last third ${(last / MB).toFixed(1)} MB (${growth >= 0 ? '+' : ''}${(growth / MB).toFixed(1)} MB)`);
  const ok = steady && after.open === connected.open && connected.open === SOCKETS && load.errors === 0 && load.non2xx === 0;
  console.log(ok ? 'verdict: STEADY (no growth beyond noise, every socket held, no errors)' : `verdict: NOT STEADY${steady ? '' : ' (memory grew)'}`);
  if (!ok) exitCode = 1;
} finally {
  holder?.kill('SIGTERM');
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = exitCode;
