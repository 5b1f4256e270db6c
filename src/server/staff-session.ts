/** Session cookie, CSRF check and role check for the staff API. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parse } from 'cookie';
import type { SessionScope } from '../handoff/ports.ts';
import type { StaffAuth } from '../handoff/staff-auth.ts';
import type { StaffMember, StaffRole } from '../handoff/types.ts';

export const SESSION_COOKIE = 'hy_session';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Secure cookies everywhere except plain HTTP on localhost (development). */
export function cookieIsSecure(req: Request): boolean {
  return req.secure || !LOOPBACK.has(req.hostname);
}

export function sessionToken(req: Request): string | undefined {
  return cookieOf(req, SESSION_COOKIE);
}

/** The value of the named cookie the request carries. */
export function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parse(header)[name] : undefined;
}

export interface StaffLocals {
  staff: StaffMember;
  csrfToken: string;
  /** The hash that identifies the session in the store. */
  sessionId: string;
  scope: SessionScope;
}

/**
 * Requires a live session; state-changing methods also need the session's CSRF token in X-CSRF-Token.
 * A session that may only enrol its second factor passes only where `allowEnrolment` is set.
 */
export function requireStaff(auth: StaffAuth, roles?: readonly StaffRole[], options: { allowEnrolment?: boolean } = {}): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const session = await auth.authenticate(sessionToken(req), { allowEnrolment: true });
    if (!session) {
      res.status(401).json({ error: 'unauthenticated', message: 'log in first' });
      return;
    }
    if (session.scope === 'enrol' && !options.allowEnrolment) {
      res.status(403).json({ error: 'second_factor_required', message: 'set up two-factor authentication first (POST /api/v1/staff/2fa/setup)' });
      return;
    }
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.get('x-csrf-token') !== session.csrfToken) {
      res.status(403).json({ error: 'csrf', message: 'missing or wrong X-CSRF-Token header' });
      return;
    }
    if (roles && !roles.includes(session.staff.role)) {
      res.status(403).json({ error: 'forbidden', message: `needs role ${roles.join(' or ')}` });
      return;
    }
    res.locals.staff = session.staff;
    res.locals.csrfToken = session.csrfToken;
    res.locals.sessionId = session.sessionId;
    res.locals.scope = session.scope;
    next();
  };
}

export function currentStaff(res: Response): StaffMember {
  return (res.locals as StaffLocals).staff;
}

export function currentSession(res: Response): { id: string; scope: SessionScope } {
  const locals = res.locals as StaffLocals;
  return { id: locals.sessionId, scope: locals.scope };
}
