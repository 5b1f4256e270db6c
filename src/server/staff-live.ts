/**
 * Live updates for the staff console over WebSocket at `/api/v1/staff/live`: new and changed cases and
 * new messages, each sent only to staff allowed to see that case. The session cookie authenticates the
 * upgrade; the console reconnects by itself and reloads what it missed.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse } from 'cookie';
import WebSocket, { WebSocketServer } from 'ws';
import { canSee, type HandoffService } from '../handoff/handoff-service.ts';
import type { StaffAuth } from '../handoff/staff-auth.ts';
import type { StaffMember } from '../handoff/types.ts';
import type { Store } from '../store/store.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import { SESSION_COOKIE } from './staff-session.ts';

export const STAFF_LIVE_PATH = '/api/v1/staff/live';

export class StaffLive {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Map<WebSocket, number>();
  private server?: Server;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly auth: StaffAuth,
    private readonly store: Store,
    handoff: HandoffService,
  ) {
    handoff.on('changed', (e) => {
      const assignee = e.assigneeId ? this.store.staff.get(e.assigneeId) : undefined;
      this.broadcast((staff) => canSee(staff, e), {
        type: 'case',
        escalation: {
          ...e,
          question: maskPersonalData(e.question),
          assignee: assignee ? { id: assignee.id, displayName: assignee.displayName } : null,
          breached: !e.firstResponseAt && Date.now() > e.dueAt.getTime(),
        },
      });
    });
    handoff.on('message', (m) => {
      const e = this.store.escalations.get(m.escalationId);
      if (!e) return;
      this.broadcast((staff) => canSee(staff, e) && (m.direction !== 'in' || e.assigneeId === staff.id || staff.role !== 'agent'), { type: 'message', ...m });
    });
  }

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => {
      for (const ws of this.clients.keys()) if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, 25_000);
    this.heartbeat.unref();
  }

  close(): void {
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
    const session = this.auth.authenticate(token);
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
  };

  private broadcast(allowed: (staff: StaffMember) => boolean, payload: unknown): void {
    const frame = JSON.stringify(payload);
    for (const [ws, staffId] of this.clients) {
      const staff = this.store.staff.get(staffId);
      if (staff?.active && allowed(staff) && ws.readyState === WebSocket.OPEN) ws.send(frame);
    }
  }
}
