/** A WebSocket client that speaks the widget's protocol, as the browser script does; records every frame. */
import WebSocket from 'ws';
import type { ServerFrame, WidgetMessage } from '../../channels/web/protocol.ts';

export interface WidgetClientOptions {
  /** The page's origin, as a browser sends it on the upgrade. */
  origin?: string;
  /** The last transcript id already shown (`after=`). */
  after?: number;
}

export class WidgetClient {
  /** Every frame the server sent, oldest first. */
  readonly frames: ServerFrame[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.Data) => this.frames.push(JSON.parse(String(data)) as ServerFrame));
  }

  /** Opens the socket for a conversation and waits for its history frame. */
  static async connect(serverUrl: string, conversation: string, options: WidgetClientOptions = {}): Promise<WidgetClient> {
    const url = `${serverUrl.replace(/^http/, 'ws')}/channels/web/ws?conversation=${encodeURIComponent(conversation)}&after=${options.after ?? 0}`;
    const ws = new WebSocket(url, options.origin ? { origin: options.origin } : {});
    const client = new WidgetClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await client.waitFor((f) => f.type === 'history');
    return client;
  }

  /** The status of a refused upgrade (the socket never opens). */
  static async refusal(serverUrl: string, conversation: string, origin?: string): Promise<number> {
    const url = `${serverUrl.replace(/^http/, 'ws')}/channels/web/ws?conversation=${encodeURIComponent(conversation)}`;
    const ws = new WebSocket(url, origin ? { origin } : {});
    return new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req: unknown, res: { statusCode?: number }) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        ws.close();
        reject(new Error('the socket opened'));
      });
      ws.once('error', () => undefined);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The bot and staff messages this socket has shown (history and live), oldest first. */
  get shown(): WidgetMessage[] {
    return this.frames
      .flatMap((f) => (f.type === 'history' || f.type === 'messages' ? f.messages : []))
      .filter((m) => m.direction === 'out');
  }

  /** Waits for a frame matching `match` (already received or arriving within `timeoutMs`). */
  async waitFor<T extends ServerFrame>(match: (f: ServerFrame) => f is T, timeoutMs?: number): Promise<T>;
  async waitFor(match: (f: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  async waitFor(match: (f: ServerFrame) => boolean, timeoutMs = 8000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
