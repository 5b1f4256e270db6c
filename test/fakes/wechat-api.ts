/**
 * A fake WeChat API on 127.0.0.1 (port 0): the access_token endpoint and the customer-service send
 * endpoint, recording every message and answering with errors a test switches on.
 */
import { createServer, type IncomingMessage as HttpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

let sequence = 0;
/** A process-wide counter ordering what the fake records and what a driver receives in HTTP responses. */
export function nextSequence(): number {
  return ++sequence;
}

export interface RecordedMessage {
  touser: string;
  content: string;
  seq: number;
}

export interface FakeWeChatApi {
  url: string;
  /** Customer-service text messages accepted so far, oldest first. */
  sent: RecordedMessage[];
  /** How many access_tokens were handed out. */
  tokensIssued(): number;
  /** The next send calls answer these errcodes, one each, before sending works again. */
  failNextSends(...errcodes: number[]): void;
  /** Every token handed out so far stops working (WeChat answers 40001), as after a reset elsewhere. */
  invalidateTokens(): void;
  /** Token requests answered so far (stable_token). */
  tokenRequests(): number;
  /** Every send from now on waits this long before it is answered (a slow platform, or a busy machine). */
  delaySends(ms: number): void;
  messagesFor(openId: string): RecordedMessage[];
  stop(): Promise<void>;
}

const ERRMSG: Record<number, string> = {
  40001: 'invalid credential, access_token is invalid or not latest',
  43004: 'require subscribe',
  45002: 'content size out of limit',
  45015: 'response out of time limit or subscription is canceled',
  45047: 'out of response count limit',
};

export async function startFakeWeChatApi(credentials: { appId: string; appSecret: string }): Promise<FakeWeChatApi> {
  const sent: RecordedMessage[] = [];
  const valid = new Set<string>();
  const failures: number[] = [];
  let issued = 0;
  let requests = 0;
  /** The stable token (stable_token), shared by every caller while it is valid. */
  let stable: string | undefined;
  let sendDelayMs = 0;

  const json = (res: ServerResponse, body: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const handle = async (req: HttpRequest, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
      requests++;
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { grant_type?: string; appid?: string; secret?: string; force_refresh?: boolean };
      if (body.grant_type !== 'client_credential' || body.appid !== credentials.appId || body.secret !== credentials.appSecret) {
        return json(res, { errcode: 40125, errmsg: 'invalid appsecret' });
      }
      // Normal mode: the current token while it is valid; force_refresh (or none valid): a new one, the old one ends.
      if (!body.force_refresh && stable && valid.has(stable)) return json(res, { access_token: stable, expires_in: 7200 });
      if (stable) valid.delete(stable);
      stable = `stable-token-${++issued}`;
      valid.add(stable);
      return json(res, { access_token: stable, expires_in: 7200 });
    }
    if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
      const q = url.searchParams;
      if (q.get('grant_type') !== 'client_credential' || q.get('appid') !== credentials.appId || q.get('secret') !== credentials.appSecret) {
        return json(res, { errcode: 40125, errmsg: 'invalid appsecret' });
      }
      const token = `token-${++issued}`;
      valid.add(token);
      return json(res, { access_token: token, expires_in: 7200 });
    }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') {
      if (!valid.has(url.searchParams.get('access_token') ?? '')) return json(res, { errcode: 40001, errmsg: ERRMSG[40001] });
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { touser?: string; msgtype?: string; text?: { content?: string } };
      if (sendDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, sendDelayMs));
      const failure = failures.shift();
      if (failure !== undefined) return json(res, { errcode: failure, errmsg: ERRMSG[failure] ?? 'error' });
      if (!body.touser || body.msgtype !== 'text' || typeof body.text?.content !== 'string') {
        return json(res, { errcode: 44002, errmsg: 'empty post data' });
      }
      if (Buffer.byteLength(body.text.content, 'utf8') > 2048) return json(res, { errcode: 45002, errmsg: ERRMSG[45002] });
      sent.push({ touser: body.touser, content: body.text.content, seq: nextSequence() });
      return json(res, { errcode: 0, errmsg: 'ok' });
    }
    res.writeHead(404).end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    tokensIssued: () => issued,
    tokenRequests: () => requests,
    failNextSends: (...errcodes) => failures.push(...errcodes),
    invalidateTokens: () => valid.clear(),
    delaySends: (ms) => {
      sendDelayMs = ms;
    },
    messagesFor: (openId) => sent.filter((m) => m.touser === openId),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
