/**
 * Holds idle widget WebSockets open (run as its own process by the soak bench, so the server's file
 * descriptors and the client's are not counted together). Prints one JSON line when connected, then one
 * whenever asked on stdin ("count"), and closes everything on SIGTERM.
 *
 *   node --import tsx bench/support/idle-sockets.ts URL COUNT
 */
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [url, countArg] = process.argv.slice(2);
const wanted = Number(countArg);
const sockets = new Set<WebSocket>();
let failed = 0;
let closed = 0;
const base = url!.replace(/^http/, 'ws');
const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;

function open(i: number): Promise<void> {
  return new Promise((done) => {
    const ws = new WebSocket(`${base}/channels/web/ws?conversation=idle-${run}-${String(i).padStart(6, '0')}`);
    ws.once('message', () => {
      sockets.add(ws);
      done();
    });
    ws.on('error', () => undefined);
    ws.once('close', () => {
      if (sockets.delete(ws)) closed++;
      else {
        failed++;
        done();
      }
    });
  });
}

const report = (): void => {
  process.stdout.write(`${JSON.stringify({ open: sockets.size, failed, closed })}\n`);
};

// Connect in waves so the server's accept queue is not flooded.
for (let i = 0; i < wanted; i += 200) {
  await Promise.all(Array.from({ length: Math.min(200, wanted - i) }, (_, k) => open(i + k)));
}
report();
createInterface({ input: process.stdin }).on('line', report);
process.on('SIGTERM', () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
