/** Which portals may embed the widget: CORS on the HTTP routes and the Origin check on the socket upgrade. */
import type { NextFunction, Request, Response } from 'express';

/**
 * True when a browser on `origin` may talk to the widget's endpoints: `*` allows any; the server's own
 * origin (the demo portal) is always allowed; no Origin header means no browser, which CORS does not govern.
 */
export function isOriginAllowed(origin: string | undefined, allowed: readonly string[], host: string | undefined): boolean {
  if (allowed.includes('*')) return true;
  if (origin === undefined) return true;
  const normalized = origin.trim().replace(/\/+$/, '').toLowerCase();
  if (allowed.some((a) => a.toLowerCase() === normalized)) return true;
  try {
    return host !== undefined && new URL(normalized).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** Express middleware: CORS headers for allowed origins, 204 for preflights, 403 for a portal not on the list. */
export function corsFor(allowed: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (!isOriginAllowed(origin, allowed, req.headers.host)) {
      res.status(403).json({ error: 'forbidden_origin', message: `origin ${origin} may not use this widget (see WEB_ALLOWED_ORIGINS)` });
      return;
    }
    if (origin) res.setHeader('Access-Control-Allow-Origin', allowed.includes('*') ? '*' : origin);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
