/** The Official Account API calls the channel needs: an access_token, cached, and customer-service text messages. */
import type { DeliveryResult } from '../../src/core/delivery.ts';

/** errcodes meaning the access_token is invalid or expired: fetch a new one and try once more. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
/** Refresh this long before WeChat says the token expires. */
const REFRESH_MARGIN_S = 300;

export interface WeChatApiOptions {
  /** e.g. https://api.weixin.qq.com (a fake server on loopback in tests). */
  baseUrl: string;
  appId: string;
  appSecret: string;
  timeoutMs?: number;
  now?: () => number;
}

interface ApiResponse {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
}

/** A call WeChat refused or that never reached it; `errcode` is WeChat's when it answered. */
export class WeChatApiError extends Error {
  override name = 'WeChatApiError';
  constructor(
    message: string,
    readonly errcode?: number,
  ) {
    super(message);
  }
}

export class WeChatApiClient {
  private readonly baseUrl: string;
  private readonly now: () => number;
  private token: { value: string; expiresAt: number } | undefined;
  private fetching: Promise<string> | undefined;

  constructor(private readonly options: WeChatApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
  }

  /** A valid access_token, from the cache while it has more than a few minutes left. */
  async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return this.token.value;
    this.fetching ??= this.fetchToken().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  /** Sends one customer-service text message; never throws. */
  async sendText(openId: string, content: string): Promise<DeliveryResult> {
    const body = JSON.stringify({ touser: openId, msgtype: 'text', text: { content } });
    try {
      let token = await this.accessToken();
      let res = await this.call(`/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, body);
      if (res.errcode !== undefined && TOKEN_ERRORS.has(res.errcode)) {
        this.forget(token);
        token = await this.accessToken();
        res = await this.call(`/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, body);
      }
      return deliveryResult(res);
    } catch (err) {
      return { status: 'undeliverable', reason: 'failed', detail: (err as Error).message };
    }
  }

  private forget(token: string): void {
    if (this.token?.value === token) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    // The stable token (getStableAccessToken, normal mode): every instance of a deployment asking within its
    // validity gets the same one, so instances do not invalidate each other's as /cgi-bin/token would.
    const res = await this.call(
      '/cgi-bin/stable_token?',
      JSON.stringify({ grant_type: 'client_credential', appid: this.options.appId, secret: this.options.appSecret, force_refresh: false }),
    );
    if (!res.access_token) throw new WeChatApiError(`access_token refused: errcode ${res.errcode ?? '?'} ${res.errmsg ?? ''}`.trim(), res.errcode);
    const lifetime = typeof res.expires_in === 'number' && res.expires_in > 0 ? res.expires_in : 7200;
    const usable = lifetime > 2 * REFRESH_MARGIN_S ? lifetime - REFRESH_MARGIN_S : lifetime / 2;
    this.token = { value: res.access_token, expiresAt: this.now() + usable * 1000 };
    return res.access_token;
  }

  private async call(path: string, body?: string): Promise<ApiResponse> {
    const endpoint = path.slice(0, path.indexOf('?'));
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      // The URL carries the secret or the token: name only the endpoint.
      throw new WeChatApiError(`${endpoint} unreachable: ${(err as Error).name}`);
    }
    if (!response.ok) throw new WeChatApiError(`${endpoint} answered HTTP ${response.status}`);
    try {
      return (await response.json()) as ApiResponse;
    } catch {
      throw new WeChatApiError(`${endpoint} answered with something other than JSON`);
    }
  }
}

/** What an errcode of the customer-service API means for the citizen getting the message. */
export function deliveryResult(res: ApiResponse): DeliveryResult {
  const code = res.errcode ?? 0;
  const detail = `errcode ${code}: ${res.errmsg ?? ''}`.trim();
  if (code === 0) return { status: 'sent' };
  // 45015: more than 48 hours since the citizen last wrote; 45047: too many messages since then.
  if (code === 45015 || code === 45047) return { status: 'undeliverable', reason: 'window_closed', detail };
  // 43004: the citizen no longer follows the account.
  if (code === 43004) return { status: 'undeliverable', reason: 'blocked', detail };
  return { status: 'undeliverable', reason: 'failed', detail };
}
