/** Staff logins over real HTTP from a chosen loopback address (127.0.0.x), carrying a device cookie if given. */
import { request } from 'node:http';

export interface LoginAnswer {
  status: number;
  /** Retry-After in seconds, when the answer has one. */
  retryAfter: number | null;
  body: { error?: string; message?: string; csrfToken?: string };
  /** `hy_device=…` from the answer, ready for a Cookie header. */
  deviceCookie: string | null;
}

/** `rawBody` replaces the JSON of name and password (to send what no login form would). */
export function loginFrom(baseUrl: string, name: string, password: string, options: { address?: string; cookie?: string; rawBody?: string } = {}): Promise<LoginAnswer> {
  const payload = options.rawBody ?? JSON.stringify({ name, password });
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}/api/v1/staff/login`,
      {
        method: 'POST',
        agent: false,
        localAddress: options.address,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(options.cookie ? { cookie: options.cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const device = (res.headers['set-cookie'] ?? []).find((c) => c.startsWith('hy_device='));
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] ? Number(res.headers['retry-after']) : null,
            body: text ? (JSON.parse(text) as LoginAnswer['body']) : {},
            deviceCookie: device ? device.split(';')[0]! : null,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
