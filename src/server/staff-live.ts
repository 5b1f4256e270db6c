/**
 * Live updates for the staff console over WebSocket at `/api/v1/staff/live`: new and changed cases and
 * new messages, each sent only to staff allowed to see that case. The session cookie authenticates the
 * upgrade; the console reconnects by itself and reloads what it missed.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse } from 'cookie';
import WebSocket, { WebSocketServer } from 'ws';
import { canSee, type HandoffEvents, type HandoffService } from '../handoff/handoff-service.ts';
import type { ClusterBus } from '../cluster/bus.ts';
import type { StaffAuth } from '../handoff/staff-auth.ts';
import type { Escalation, StaffMember } from '../handoff/types.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { SESSION_COOKIE } from './staff-session.ts';

export const STAFF_LIVE_PATH = '/api/v1/staff/live';

/** The cluster bus channel of console events. */
const LIVE_CHANNEL = 'staff:live';

type LiveMessage = HandoffEvents['message'][0];
type BusEvent = { kind: 'case'; id: number } | { kind: 'message'; message: LiveMessage };

export class StaffLive {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Map<WebSocket, number>();
  private server?: Server;
  private heartbeat?: NodeJS.Timeout;
  /** The frames being sent, in the order of their events (each reads the store first). */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly auth: StaffAuth,
    private readonly store: Store,
    handoff: HandoffService,
    /** With several instances: events of this one go to the consoles of every instance, and theirs come here. */
    private readonly bus?: ClusterBus,
    /** Where a frame that could not be sent (its store read failed) is reported. */
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {
    handoff.on('changed', (e) => {
      this.send(() => this.sendCase(e));
      this.tell({ kind: 'case', id: e.id });
    });
    handoff.on('message', (m) => {
      this.send(() => this.sendMessage(m));
      this.tell({ kind: 'message', message: m });
    });
    void bus?.subscribe(LIVE_CHANNEL, this.onBus);
  }

  /**
   * Queues a frame behind those of earlier events, so consoles get them in order; with no console connected (or
   * once closed) nothing is read. A frame whose store read fails is dropped (and logged): the console reloads what
   * it missed when it reconnects or opens the case.
   */
  private send(frame: () => Promise<void>): void {
    this.sending = this.sending
      .then(() => (this.clients.size > 0 ? frame() : undefined))
      .catch((err: Error) => this.logger?.warn({ err: err.message }, 'staff console update not sent'));
  }

  private async sendCase(e: Escalation): Promise<void> {
    const assignee = e.assigneeId ? await this.store.staff.get(e.assigneeId) : undefined;
    await this.broadcast((staff) => canSee(staff, e), {
      type: 'case',
      escalation: {
        ...e,
        question: maskPersonalData(e.question),
        assignee: assignee ? { id: assignee.id, displayName: assignee.displayName } : null,
        breached: !e.firstResponseAt && Date.now() > e.dueAt.getTime(),
      },
    });
  }

  private async sendMessage(m: LiveMessage): Promise<void> {
    const e = await this.store.escalations.get(m.escalationId);
    if (!e) return;
    await this.broadcast((staff) => canSee(staff, e) && (m.direction !== 'in' || e.assigneeId === staff.id || staff.role !== 'agent'), { type: 'message', ...m });
  }

  /** Publishes an event of this instance for the others' consoles. */
  private tell(event: BusEvent): void {
    const bus = this.bus;
    if (!bus) return;
    bus.publish(LIVE_CHANNEL, JSON.stringify({ from: bus.instanceId, ...event })).catch(() => undefined);
  }

  /** An event of another instance: the case is read again from the shared store, so what is sent is its current state. */
  private readonly onBus = (raw: string): void => {
    try {
      const event = JSON.parse(raw) as BusEvent & { from: string };
      if (event.from === this.bus?.instanceId) return;
      if (event.kind === 'case') {
        this.send(async () => {
          const e = await this.store.escalations.get(event.id);
          if (e) await this.sendCase(e);
        });
      } else {
        const message = { ...event.message, at: new Date(event.message.at) };
        this.send(() => this.sendMessage(message));
      }
    } catch {
      // Not one of ours: ignored.
    }
  };

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => {
      for (const ws of this.clients.keys()) if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, 25_000);
    this.heartbeat.unref();
  }

  close(): void {
    void this.bus?.unsubscribe(LIVE_CHANNEL, this.onBus);
    clearInterval(this.heartbeat);
    this.server?.off('upgrade', this.onUpgrade);
    for (const ws of this.clients.keys()) ws.terminate();
    this.clients.clear();
    this.wss.close();
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(req.url ?? '/', 'http://console.invalid').pathname !== STAFF_LIVE_PATH) return;
    socket.on('error', () => undefined);
    const token = req.headers.cookie ? parse(req.headers.cookie)[SESSION_COOKIE] : undefined;
    this.auth.authenticate(token).then(
      (session) => {
        if (!session) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          this.clients.set(ws, session.staff.id);
          ws.on('close', () => this.clients.delete(ws));
          ws.on('error', () => this.clients.delete(ws));
          ws.send(JSON.stringify({ type: 'hello', staff: session.staff }));
        });
      },
      (err: Error) => {
        this.logger?.warn({ err: err.message }, 'staff console connection refused: the session could not be checked');
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
    );
  };

  private async broadcast(allowed: (staff: StaffMember) => boolean, payload: unknown): Promise<void> {
    const frame = JSON.stringify(payload);
    const clients = [...this.clients];
    // Each account read once, however many consoles it has open.
    const accounts = new Map<number, Promise<StaffMember | undefined>>();
    for (const [, staffId] of clients) if (!accounts.has(staffId)) accounts.set(staffId, this.store.staff.get(staffId));
    const staffOf = new Map(await Promise.all([...accounts].map(async ([staffId, account]) => [staffId, await account] as const)));
    for (const [ws, staffId] of clients) {
      const staff = staffOf.get(staffId);
      if (staff?.active && allowed(staff) && ws.readyState === WebSocket.OPEN) ws.send(frame);
    }
  }
}
