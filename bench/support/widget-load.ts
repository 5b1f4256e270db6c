/**
 * Load on the web widget's WebSocket: each socket is one conversation that sends a message, waits for its
 * `ack` (sent once the message and its answer are stored), and sends the next, until `amount` were acknowledged.
 */
import WebSocket from 'ws';
import { Latencies } from './latency.ts';
import type { LoadResult } from './http-load.ts';
import type { MessageMix } from './message-mix.ts';

export interface WidgetLoadOptions {
  url: string;
  sockets: number;
  amount: number;
  mix: MessageMix;
  onTick?: () => void;
}

export async function runWidgetLoad(options: WidgetLoadOptions): Promise<LoadResult> {
  const latency = new Latencies();
  const base = options.url.replace(/^http/, 'ws');
  let sent = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const tick = options.onTick ? setInterval(options.onTick, 250) : undefined;
  const started = performance.now();
  const one = (): Promise<void> =>
    new Promise((done) => {
      const conversation = options.mix.take().conversation;
      const ws = new WebSocket(`${base}/channels/web/ws?conversation=${conversation}`);
      let pending: { id: string; at: number } | null = null;
      const next = (): void => {
        if (sent >= options.amount) {
          ws.close();
          return;
        }
        sent++;
        const m = options.mix.take();
        pending = { id: m.messageId, at: performance.now() };
        ws.send(JSON.stringify({ type: 'message', id: m.messageId, text: m.text }));
      };
      ws.on('message', (data: WebSocket.RawData) => {
        const frame = JSON.parse(data.toString()) as { type: string; id?: string };
        if (frame.type === 'history') next();
        else if ((frame.type === 'ack' || frame.type === 'error') && pending && frame.id === pending.id) {
          latency.add(performance.now() - pending.at);
          if (frame.type === 'ack') ok++;
          else non2xx++;
          pending = null;
          next();
        }
      });
      ws.on('error', () => {
        errors++;
      });
      ws.on('close', () => {
        if (pending) errors++;
        done();
      });
    });
  await Promise.all(Array.from({ length: options.sockets }, one));
  clearInterval(tick);
  return { ok, non2xx, errors, seconds: (performance.now() - started) / 1000, latency };
}
