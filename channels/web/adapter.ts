/**
 * The web widget channel: serves `/widget.js` and the demo portal, takes messages over a WebSocket (with an
 * HTTP fallback), pushes bot and staff messages live to every open widget of a conversation.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage as HttpRequest, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Request, RequestHandler, Response, Router } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import WebSocket, { WebSocketServer } from 'ws';
import type { DeliveryResult } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/message.ts';
import type { ChannelAdapter, ChannelCapabilities, ChannelDeps } from '../../src/server/channel-adapter.ts';
import { withRequestId } from '../../src/ops/request-context.ts';
import type { WebConfig } from './config.ts';
import {
  conversationIdFor,
  opaqueIdSchema,
  parseAfter,
  parseClientFrame,
  parseFeedbackBody,
  parseMessageBody,
  toIncomingMessage,
} from './inbound.ts';
import { corsFor, isOriginAllowed } from './origins.ts';
import { SOCKET_PATH, type ClientFrame, type ServerFrame, type WidgetMessage } from './protocol.ts';
import { toWidgetMessage } from './render.ts';

/** The browser files the channel serves. */
export interface WebAssets {
  widgetJs: string;
  /** The demo portal page, or null to serve none. */
  portalHtml: string | null;
  /** The demo portal's script (served at /portal.js beside the page). */
  portalJs?: string;
}

interface Client {
  ws: WebSocket;
  conversationId: string;
  /** The newest transcript id this socket has been given. */
  lastId: number;
  /** The client's address (as rate limits count it). */
  rateKey: string;
  /** The embedding portal's origin, kept as the conversation's address. */
  origin?: string;
  alive: boolean;
  /** False until the socket got its history: pushes wait for it, so nothing arrives twice or out of order. */
  ready: boolean;
  /** Frames of one socket are handled one after another. */
  queue: Promise<void>;
}

const HEARTBEAT_MS = 30_000;

export class WebChannelAdapter implements ChannelAdapter {
  readonly name = 'web';
  readonly capabilities: ChannelCapabilities = { buttons: true, richLinks: true, maxTextLength: 100_000 };
  private readonly clients = new Map<string, Set<Client>>();
  /** The cluster bus handler of each conversation with a socket here. */
  private readonly pokes = new Map<string, (from: string) => void>();
  private readonly wss: WebSocketServer;
  /** Open sockets per client address. */
  private readonly connections = new Map<string, number>();
  private readonly perAddress: RequestHandler;
  private readonly widgetEtag: string;
  private server?: Server;
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly config: WebConfig,
    private readonly deps: ChannelDeps,
    private readonly assets: WebAssets,
  ) {
    this.widgetEtag = `"${createHash('sha256').update(assets.widgetJs).digest('base64url').slice(0, 27)}"`;
    this.perAddress = deps.limits?.perAddress ?? ((_req, _res, next) => next());
    // A frame bigger than the longest message can be (6 bytes a character when JSON-escaped) closes the socket with 1009.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(64 * 1024, config.MAX_MESSAGE_LENGTH * 6 + 1024) });
  }

  mountRoot(router: Router): void {
    router.get('/widget.js', (req, res) => {
      res.setHeader('Content-Type', 'application/javascript; charset=utf-8');
      res.setHeader('Cache-Control', 'public, max-age=3600, stale-while-revalidate=86400');
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('ETag', this.widgetEtag);
      if (req.fresh) {
        res.status(304).end();
        return;
      }
      res.send(this.assets.widgetJs);
    });
    const portal = this.assets.portalHtml;
    if (portal !== null) {
      router.get('/', (_req, res) => {
        res.setHeader('Cache-Control', 'no-cache');
        res.type('html').send(portal);
      });
      const portalJs = this.assets.portalJs;
      if (portalJs !== undefined) {
        router.get('/portal.js', (_req, res) => {
          res.setHeader('Cache-Control', 'no-cache');
          res.type('application/javascript; charset=utf-8').send(portalJs);
        });
      }
    }
  }

  mount(router: Router): void {
    router.use(corsFor(this.config.WEB_ALLOWED_ORIGINS));
    router.post('/messages', this.perAddress, (req, res) => this.postMessage(req, res));
    router.get('/conversations/:id/messages', (req, res) => this.getMessages(req, res));
    router.post('/feedback', this.perAddress, (req, res) => this.postFeedback(req, res));
  }

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.sweep(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async send(conversationId: string, _replies: readonly Reply[]): Promise<DeliveryResult> {
    // The OutboundRouter stored the replies already: open widgets get them now (on this instance or, told
    // through the cluster bus, on the one holding their socket), closed ones from history.
    try {
      await this.deliver(conversationId);
      return { status: 'sent' };
    } catch (err) {
      return { status: 'undeliverable', reason: 'failed', detail: (err as Error).message };
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.server?.off('upgrade', this.onUpgrade);
    for (const set of this.clients.values()) for (const client of set) client.ws.terminate();
    for (const conversationId of [...this.pokes.keys()]) this.stopListening(conversationId);
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async postMessage(req: Request, res: Response): Promise<void> {
    const body = parseMessageBody(req.body, this.config.MAX_MESSAGE_LENGTH);
    if (!body.ok) {
      res.status(400).json({ error: 'bad_request', message: body.message });
      return;
    }
    const { conversationId: opaque, text, id, after, lang } = body.value;
    const conversationId = conversationIdFor(opaque);
    const limits = this.deps.limits;
    if (limits && (await limits.conversation(conversationId)) !== 'ok') {
      res.status(429).json({ error: 'rate_limited', message: limits.conversationMessage() });
      return;
    }
    const before = after ?? (await this.newestId(conversationId));
    const clientAddress = this.deps.limits?.addressOf(req) ?? ipKeyGenerator(req.socket.remoteAddress ?? 'unknown');
    const result = await this.deps.service.handle({ ...toIncomingMessage(opaque, text, id, req.headers.origin, new Date(), lang), clientAddress });
    await this.deliver(conversationId);
    res.json({ conversationId: opaque, duplicate: result.duplicate, messages: await this.transcript(conversationId, before) });
  }

  private async getMessages(req: Request, res: Response): Promise<void> {
    const opaque = opaqueIdSchema.safeParse(req.params.id);
    const after = parseAfter(req.query.after);
    if (!opaque.success || !after.ok) {
      const message = opaque.success ? (after.ok ? '' : after.message) : `conversation id ${opaque.error.issues[0]?.message}`;
      res.status(400).json({ error: 'bad_request', message });
      return;
    }
    res.json({ conversationId: opaque.data, messages: await this.transcript(conversationIdFor(opaque.data), after.value) });
  }

  private async postFeedback(req: Request, res: Response): Promise<void> {
    const body = parseFeedbackBody(req.body);
    if (!body.ok) {
      res.status(400).json({ error: 'bad_request', message: body.message });
      return;
    }
    const recorded = await this.feedback(conversationIdFor(body.value.conversationId), body.value.messageId, body.value.helpful);
    if (recorded === null) {
      res.status(404).json({ error: 'not_found', message: `no answer ${body.value.messageId} in this conversation` });
      return;
    }
    res.json({ messageId: body.value.messageId, recorded });
  }

  /** Records a rating of answer `messageId`; null when it is not a bot answer of this conversation. */
  private async feedback(conversationId: string, messageId: number, helpful: boolean): Promise<boolean | null> {
    const stored = await this.deps.store.messages.listByConversation(conversationId);
    const index = stored.findIndex((m) => m.id === messageId && m.direction === 'out');
    const answer = stored[index];
    if (!answer) return null;
    const question = stored.slice(0, index).findLast((m) => m.direction === 'in')?.text;
    const demand = await this.deps.service.recordFeedback(conversationId, { helpful, question, entryId: answer.reply?.entryId });
    this.deps.logger.info({ conversationId, messageId, helpful }, 'widget feedback');
    return helpful || demand !== null;
  }

  private readonly onUpgrade = (req: HttpRequest, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://widget.invalid');
    if (url.pathname !== SOCKET_PATH) return;
    socket.on('error', () => undefined);
    if (!isOriginAllowed(req.headers.origin, this.config.WEB_ALLOWED_ORIGINS, req.headers.host)) {
      this.deps.logger.warn({ origin: req.headers.origin }, 'widget socket refused: origin not allowed');
      refuse(socket, 403, 'Forbidden', `origin ${req.headers.origin} may not use this widget (see WEB_ALLOWED_ORIGINS)`);
      return;
    }
    const opaque = opaqueIdSchema.safeParse(url.searchParams.get('conversation') ?? '');
    const after = parseAfter(url.searchParams.get('after') ?? undefined);
    if (!opaque.success || !after.ok) {
      refuse(socket, 400, 'Bad Request', opaque.success ? 'after: must be a message id' : `conversation: ${opaque.error.issues[0]?.message}`);
      return;
    }
    const rateKey = this.deps.limits?.addressOf(req) ?? ipKeyGenerator(req.socket.remoteAddress ?? 'unknown');
    const open = this.connections.get(rateKey) ?? 0;
    const most = this.config.WEB_MAX_CONNECTIONS_PER_IP;
    if (most > 0 && open >= most) {
      this.deps.logger.warn({ open }, 'widget socket refused: too many connections from one address');
      refuse(socket, 429, 'Too Many Requests', `too many open connections from one address (at most ${most}); close other chat windows or try again later`);
      return;
    }
    const client = {
      conversationId: conversationIdFor(opaque.data),
      lastId: after.value,
      rateKey,
      origin: req.headers.origin,
      alive: true,
      ready: false,
      queue: Promise.resolve(),
    };
    this.wss.handleUpgrade(req, socket as Socket, head, (ws) => this.connected({ ...client, ws }, opaque.data));
  };

  private connected(client: Client, opaque: string): void {
    const { ws, conversationId } = client;
    let set = this.clients.get(conversationId);
    if (!set) {
      this.clients.set(conversationId, (set = new Set()));
      this.listen(conversationId);
    }
    set.add(client);
    this.connections.set(client.rateKey, (this.connections.get(client.rateKey) ?? 0) + 1);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('error', (err: Error) => this.deps.logger.debug({ err: err.message }, 'widget socket error'));
    ws.on('close', () => {
      const left = (this.connections.get(client.rateKey) ?? 1) - 1;
      if (left > 0) this.connections.set(client.rateKey, left);
      else this.connections.delete(client.rateKey);
      set.delete(client);
      if (set.size === 0 && this.clients.get(conversationId) === set) {
        this.clients.delete(conversationId);
        this.stopListening(conversationId);
      }
    });
    ws.on('message', (data: WebSocket.Data, isBinary?: boolean) => this.received(client, data, isBinary === true));
    // Frames that arrive meanwhile queue behind the history; what was stored while it was read is pushed right after.
    client.queue = this.sendHistory(client, opaque).catch((err: Error) => {
      this.deps.logger.error({ err }, 'widget history failed');
      ws.close(1011, 'internal error');
    });
  }

  private async sendHistory(client: Client, opaque: string): Promise<void> {
    const messages = await this.transcript(client.conversationId, client.lastId);
    client.lastId = Math.max(client.lastId, messages.at(-1)?.id ?? 0);
    sendFrame(client.ws, { type: 'history', conversationId: opaque, messages });
    client.ready = true;
    await this.push(client.conversationId);
  }

  private received(client: Client, data: WebSocket.Data, isBinary: boolean): void {
    const frame = isBinary ? ({ ok: false, message: 'frames must be JSON text' } as const) : parseClientFrame(rawText(data), this.config.MAX_MESSAGE_LENGTH);
    if (!frame.ok) {
      sendFrame(client.ws, { type: 'error', error: 'bad_request', message: frame.message });
      return;
    }
    client.queue = client.queue
      .then(() => withRequestId(() => this.handleFrame(client, frame.value)))
      .catch((err: Error) => {
        this.deps.logger.error({ err }, 'widget frame failed');
        sendFrame(client.ws, { type: 'error', error: 'internal', message: 'internal error', ...(frame.value.type === 'message' ? { id: frame.value.id } : {}) });
      });
  }

  private async handleFrame(client: Client, frame: ClientFrame): Promise<void> {
    const limits = this.deps.limits;
    const limited = !limits
      ? undefined
      : !(await limits.allowAddress(client.rateKey))
        ? limits.addressMessage()
        : frame.type === 'message' && (await limits.conversation(client.conversationId)) !== 'ok'
          ? limits.conversationMessage()
          : undefined;
    if (limited) {
      const id = frame.type === 'message' ? { id: frame.id } : {};
      sendFrame(client.ws, { type: 'error', error: 'rate_limited', message: limited, ...id });
      return;
    }
    if (frame.type === 'feedback') {
      const recorded = await this.feedback(client.conversationId, frame.messageId, frame.helpful);
      sendFrame(client.ws, { type: 'feedback', messageId: frame.messageId, recorded: recorded ?? false });
      return;
    }
    const opaque = client.conversationId.slice('web:'.length);
    const message = { ...toIncomingMessage(opaque, frame.text, frame.id, client.origin, new Date(), frame.lang), clientAddress: client.rateKey };
    const result = await this.deps.service.handle(message);
    await this.deliver(client.conversationId);
    sendFrame(client.ws, { type: 'ack', id: frame.id, duplicate: result.duplicate });
  }

  /** Pushes new messages to the conversation's widgets here and tells the other instances to push to theirs. */
  private async deliver(conversationId: string): Promise<void> {
    await this.push(conversationId);
    const bus = this.deps.bus;
    if (!bus) return;
    // While Redis is away (reported once, and in /readyz) the other instances' widgets get it with the conversation's next message or when they reconnect.
    bus.publish(pokeChannel(conversationId), bus.instanceId).catch((err: Error) => {
      this.deps.logger.debug({ err: err.message }, 'cannot tell the other instances of a widget message');
    });
  }

  /** While this instance holds a socket of the conversation, other instances' pokes make it push. */
  private listen(conversationId: string): void {
    const bus = this.deps.bus;
    if (!bus) return;
    const handler = (from: string): void => {
      if (from !== bus.instanceId) {
        this.push(conversationId).catch((err: Error) => this.deps.logger.error({ err }, 'widget push failed'));
      }
    };
    this.pokes.set(conversationId, handler);
    void bus.subscribe(pokeChannel(conversationId), handler);
  }

  private stopListening(conversationId: string): void {
    const handler = this.pokes.get(conversationId);
    if (!handler || !this.deps.bus) return;
    this.pokes.delete(conversationId);
    void this.deps.bus.unsubscribe(pokeChannel(conversationId), handler);
  }

  /** Sends every open widget of the conversation the bot and staff messages it has not seen yet. */
  private async push(conversationId: string): Promise<void> {
    const ready = [...(this.clients.get(conversationId) ?? [])].filter((c) => c.ready);
    if (ready.length === 0) return;
    const seen = Math.min(...ready.map((c) => c.lastId));
    const stored = await this.deps.store.messages.listByConversation(conversationId, 200, seen);
    for (const client of ready) {
      const fresh = stored.filter((m) => m.id > client.lastId);
      if (fresh.length === 0) continue;
      client.lastId = fresh.at(-1)!.id;
      const messages = fresh.filter((m) => m.direction === 'out').map(toWidgetMessage);
      if (messages.length > 0) sendFrame(client.ws, { type: 'messages', messages });
    }
  }

  /** The conversation's transcript after message id `after`, as the widget shows it. */
  private async transcript(conversationId: string, after: number): Promise<WidgetMessage[]> {
    return (await this.deps.store.messages.listByConversation(conversationId, 200, after)).map(toWidgetMessage);
  }

  private async newestId(conversationId: string): Promise<number> {
    return (await this.deps.store.messages.listByConversation(conversationId, 1))[0]?.id ?? 0;
  }

  /** Pings every socket; one that did not answer the last ping is gone. */
  private sweep(): void {
    for (const set of this.clients.values()) {
      for (const client of set) {
        if (!client.alive) {
          client.ws.terminate();
          continue;
        }
        client.alive = false;
        client.ws.ping();
      }
    }
  }
}

/** The bus channel on which instances are told that a conversation has new messages for its widgets. */
const pokeChannel = (conversationId: string): string => `web:conversation:${conversationId}`;

function sendFrame(ws: WebSocket, frame: ServerFrame): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

function rawText(data: WebSocket.Data): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

/** Answers a refused upgrade with a plain HTTP error and closes the connection. */
function refuse(socket: Duplex, status: number, reason: string, message: string): void {
  const error = status === 403 ? 'forbidden_origin' : status === 429 ? 'too_many_connections' : 'bad_request';
  const body = JSON.stringify({ error, message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
