/**
 * A fake Bot Framework connector (the service behind an activity's `serviceUrl`) on 127.0.0.1: records the
 * activities the bot sends and answers like the real one, or refuses with 403 when switched to.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One activity the bot sent, as the connector received it. */
export interface RecordedActivity {
  conversationId: string;
  /** Set when the bot replied to an activity (`/activities/:replyToId`). */
  replyToId?: string;
  /** The Authorization header, if the bot sent one. */
  authorization?: string;
  activity: Record<string, unknown>;
}

export interface FakeConnector {
  /** The base URL to put in an activity's `serviceUrl`. */
  url: string;
  activities: RecordedActivity[];
  /** Activities sent to one conversation, oldest first. */
  forConversation(conversationId: string): RecordedActivity[];
  /** Answers every send with this status from now on (403: the user blocked the bot or left). */
  failWith(status: number | null): void;
  /**
   * While on, sends are taken in but neither answered nor recorded (a connector that hangs, or a bot killed
   * before the send completed); turning it off answers the held ones with an error.
   */
  holdSends(on: boolean): void;
  /** Sends taken in while holding, not answered. */
  held(): number;
  /** Every send from now on waits this long before it is answered (a slow connector, or a busy machine). */
  delaySends(ms: number): void;
  stop(): Promise<void>;
}

const ROUTE = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;

export async function startFakeConnector(): Promise<FakeConnector> {
  const activities: RecordedActivity[] = [];
  let failure: number | null = null;
  let counter = 0;
  let holding = false;
  let delayMs = 0;
  const held = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = ROUTE.exec(new URL(req.url ?? '/', 'http://connector').pathname);
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || !match) return reply(404, { error: { code: 'NotFound', message: 'no such route' } });
      if (holding) {
        const release = (): void => reply(503, { error: { code: 'ServiceError', message: 'held' } });
        held.add(release);
        res.on('close', () => held.delete(release));
        return;
      }
      if (delayMs > 0) {
        setTimeout(() => answer(match, chunks, req.headers.authorization, reply), delayMs);
        return;
      }
      answer(match, chunks, req.headers.authorization, reply);
    });
  });
  /** Records the activity and answers like the connector (or with the failure switched on). */
  const answer = (match: RegExpExecArray, chunks: Buffer[], authorization: string | undefined, reply: (status: number, body: unknown) => void): void => {
    if (failure !== null) return reply(failure, { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } });
    let activity: Record<string, unknown>;
    try {
      activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply(400, { error: { code: 'BadArgument', message: 'body is not JSON' } });
    }
    const conversationId = decodeURIComponent(match[1]!);
    const replyToId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    activities.push({ conversationId, replyToId, authorization, activity });
    reply(200, { id: `sent-${++counter}` });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    activities,
    forConversation: (id) => activities.filter((a) => a.conversationId === id),
    failWith: (status) => {
      failure = status;
    },
    holdSends: (on) => {
      holding = on;
      if (!on) for (const release of [...held]) release();
    },
    held: () => held.size,
    delaySends: (ms) => {
      delayMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
