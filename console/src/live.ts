/**
 * The live connection (`/api/v1/staff/live`): new cases and messages without a reload. Reconnects with
 * exponential backoff (1 s doubling to 30 s, with jitter); after a reconnect the console reloads what
 * it may have missed.
 */
import type { LiveFrame } from './types.ts';

export type LiveStatus = 'connecting' | 'open' | 'down';

export interface LiveHandlers {
  frame(frame: LiveFrame): void;
  status(status: LiveStatus): void;
  /** The connection came back after being down: reload the queue and the open case. */
  reconnected(): void;
}

export class LiveConnection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wasDown = false;
  private stopped = false;

  constructor(private readonly handlers: LiveHandlers) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  private connect(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.handlers.status(this.wasDown ? 'down' : 'connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/staff/live`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.socket = ws;
    ws.onmessage = (event) => {
      let frame: LiveFrame;
      try {
        frame = JSON.parse(String(event.data)) as LiveFrame;
      } catch {
        return;
      }
      if (frame.type === 'hello') {
        this.attempt = 0;
        this.handlers.status('open');
        if (this.wasDown) {
          this.wasDown = false;
          this.handlers.reconnected();
        }
      }
      this.handlers.frame(frame);
    };
    ws.onclose = () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.wasDown = true;
    this.handlers.status('down');
    const delay = Math.min(30_000, 1000 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
