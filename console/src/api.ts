/** Calls the staff API: JSON in and out, the session cookie, and the CSRF token on every change. */

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** A refused request; `code` is the API's error code (`conflict`, `forbidden`, `invalid_login`...), `body` all it answered. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The reason of a refusal in the console's language (the API words some, like weak passwords, in Chinese too). */
export function reasonOf(err: unknown, lang: 'zh' | 'en'): string {
  if (err instanceof ApiError && lang === 'zh' && typeof err.body.messageZh === 'string') return err.body.messageZh;
  return (err as Error).message;
}

/** Called when any request finds the session gone (expired, logged out elsewhere, deactivated). */
let onUnauthenticated: () => void = () => undefined;
export function whenLoggedOut(handler: () => void): void {
  onUnauthenticated = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/api/v1/staff/login')) onUnauthenticated();
    throw new ApiError(res.status, data.error ?? 'error', data.message ?? res.statusText, data);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
};

/** Query-string helper. */
export const qs = (params: Record<string, string | undefined>): string => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
};
