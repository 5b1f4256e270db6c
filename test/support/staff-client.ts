/** A staff member talking to the staff API over real HTTP: cookie jar and CSRF token handled. */
import type { Store } from '../../src/store/store.ts';
import { hashPassword } from '../../src/handoff/passwords.ts';
import type { StaffRole } from '../../src/handoff/types.ts';

/** A JSON response body, read ad hoc by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

export interface StaffClient {
  csrfToken: string;
  cookie: string;
  get(path: string): Promise<{ status: number; body: Body }>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Body }>;
  patch(path: string, body: unknown): Promise<{ status: number; body: Body }>;
}

/** Creates an account directly in the store. */
export async function createStaff(store: Store, name: string, role: StaffRole, departments: string[], password = `${name}-password-1`) {
  return store.staff.create({ name, displayName: `${name} display`, role, departments, passwordHash: await hashPassword(password) });
}

export async function login(baseUrl: string, name: string, password = `${name}-password-1`): Promise<StaffClient> {
  const res = await fetch(`${baseUrl}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const body = (await res.json()) as { csrfToken: string };
  if (res.status !== 200 || !body.csrfToken) throw new Error(`login ${name} failed: ${res.status} ${JSON.stringify(body)}`);
  return staffClient(baseUrl, (res.headers.get('set-cookie') ?? '').split(';')[0]!, body.csrfToken);
}

/** A client for a session already granted (its cookie and CSRF token). */
export function staffClient(baseUrl: string, cookie: string, csrfToken: string): StaffClient {
  const body = { csrfToken };
  const call = async (method: string, path: string, payload?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': body.csrfToken, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: payload !== undefined ? JSON.stringify(payload) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return {
    csrfToken: body.csrfToken,
    cookie,
    get: (path) => call('GET', path),
    post: (path, payload, headers) => call('POST', path, payload, headers),
    patch: (path, payload) => call('PATCH', path, payload),
  };
}

/** A citizen on the HTTP API. */
export function citizen(baseUrl: string, conversationId: string) {
  return async (text: string): Promise<{ outcome: string; replies: Array<{ text: string; choices?: Array<{ label: string; value: string }> }> }> => {
    const res = await fetch(`${baseUrl}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId, text }) });
    return (await res.json()) as never;
  };
}
