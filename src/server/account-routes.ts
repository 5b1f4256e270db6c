/**
 * A staff member's own account security: the login's second step, two-factor enrolment (secret, QR code,
 * confirmation, recovery codes), a password change that ends the account's other sessions, and an
 * administrator's reset of someone's second factor. Everything is audited.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Store } from '../store/store.ts';
import { passwordProblem, type PasswordProblem } from '../handoff/password-policy.ts';
import { HasherBusyError } from '../handoff/password-hasher.ts';
import { hashPassword } from '../handoff/passwords.ts';
import type { SessionGrant, StaffAuth } from '../handoff/staff-auth.ts';
import { parseOr400 as parse } from './request-parse.ts';
import { DEVICE_COOKIE, DEVICE_COOKIE_MS } from '../handoff/device-cookie.ts';
import { cookieIsSecure, currentSession, currentStaff, requireStaff, SESSION_COOKIE, sessionToken } from './staff-session.ts';

/** Answers 400 with the reason in English and Chinese (the console shows the one in its language). */
export function refuseWeakPassword(res: Response, problem: PasswordProblem): void {
  res.status(400).json({ error: 'weak_password', reason: problem.code, message: problem.message, messageZh: problem.messageZh });
}

/** Sets the session cookie of a new session (replacing the one the browser had) and answers like login. */
export async function grantSession(req: Request, res: Response, auth: StaffAuth, store: Store, grant: SessionGrant, detail: string | null): Promise<void> {
  await auth.logout(sessionToken(req));
  res.cookie(SESSION_COOKIE, grant.token, { httpOnly: true, sameSite: 'strict', secure: cookieIsSecure(req), path: '/' });
  // Exempts this browser from the account's login limits next time (OWASP device cookies); only after every factor.
  res.cookie(DEVICE_COOKIE, grant.deviceCookie, { httpOnly: true, sameSite: 'strict', secure: cookieIsSecure(req), path: '/api/v1/staff/login', maxAge: DEVICE_COOKIE_MS });
  await store.audit.record({ staffId: grant.staff.id, action: 'login', target: grant.staff.name, detail, createdAt: new Date() });
  res.json({ csrfToken: grant.csrfToken, staff: grant.staff, enrolmentRequired: grant.scope === 'enrol' });
}

/** Built once (the second step of a login is public). */
const secondFactorBody = z.object({ pendingToken: z.string().min(1).max(100), code: z.string().trim().min(1).max(40) }).strict();

export function accountRouter(deps: { store: Store; auth: StaffAuth }): Router {
  const { store, auth } = deps;
  const router = Router();
  const anyStaff = requireStaff(auth, undefined, { allowEnrolment: true });
  const admins = requireStaff(auth, ['admin']);
  const audit = (staffId: number | null, action: string, target: string, detail: string | null = null) =>
    store.audit.record({ staffId, action, target, detail, createdAt: new Date() });

  router.post('/api/v1/staff/login/second-factor', async (req: Request, res: Response) => {
    const body = parse(secondFactorBody, req.body, res);
    if (!body) return;
    const result = await auth.completeLogin(body.pendingToken, body.code);
    if (result.ok) {
      await grantSession(req, res, auth, store, result, result.kind === 'recovery' ? 'recovery code' : 'totp');
      return;
    }
    if (result.staff) await audit(result.staff.id, 'login_code_failed', result.staff.name, result.reason);
    if (result.reason === 'expired') res.status(401).json({ error: 'login_expired', message: 'the login has expired or used up its attempts; enter the password again' });
    else if (result.reason === 'throttled') res.status(429).json({ error: 'throttled', message: 'too many wrong codes; try again in 15 minutes' });
    else res.status(401).json({ error: 'invalid_code', message: 'wrong or already used code', attemptsLeft: result.attemptsLeft });
  });

  router.get('/api/v1/staff/2fa', anyStaff, async (_req: Request, res: Response) => {
    const staff = currentStaff(res);
    const factor = auth.secondFactor;
    const [enabled, recoveryCodesLeft] = factor ? await Promise.all([factor.isEnabled(staff.id), factor.recoveryCodesLeft(staff.id)]) : [false, 0];
    res.json({
      available: Boolean(factor),
      enabled,
      required: auth.requiresSecondFactor(staff),
      recoveryCodesLeft,
    });
  });

  router.post('/api/v1/staff/2fa/setup', anyStaff, async (_req: Request, res: Response) => {
    const staff = currentStaff(res);
    const enrolment = await auth.secondFactor?.begin(staff);
    if (enrolment === undefined) {
      res.status(404).json({ error: 'not_found', message: 'two-factor authentication is not available on this server' });
      return;
    }
    if (enrolment === null) {
      res.status(409).json({ error: 'conflict', message: 'two-factor authentication is already set up; an administrator can reset it' });
      return;
    }
    await audit(staff.id, 'totp_setup', staff.name);
    res.json(enrolment);
  });

  router.post('/api/v1/staff/2fa/confirm', anyStaff, async (req: Request, res: Response) => {
    const body = parse(z.object({ code: z.string().trim().min(1).max(20) }).strict(), req.body, res);
    if (!body) return;
    const staff = currentStaff(res);
    const codes = await auth.secondFactor?.confirm(staff.id, body.code);
    if (!codes) {
      await audit(staff.id, 'totp_confirm_failed', staff.name);
      res.status(400).json({ error: 'invalid_code', message: 'wrong code: enter the 6 digits the app shows now (start again with setup if none works)' });
      return;
    }
    const session = currentSession(res);
    if (session.scope !== 'full') await auth.upgradeSession(session.id);
    await audit(staff.id, 'totp_enrol', staff.name);
    res.json({ recoveryCodes: codes });
  });

  router.post('/api/v1/staff/:id/2fa/reset', admins, async (req: Request, res: Response) => {
    const staffId = parse(z.coerce.number().int().positive(), req.params.id, res);
    if (staffId === undefined) return;
    const target = await store.staff.get(staffId);
    if (!target) {
      res.status(404).json({ error: 'not_found', message: `no staff member ${staffId}` });
      return;
    }
    await auth.secondFactor?.reset(staffId);
    const me = currentStaff(res);
    if (staffId === me.id) {
      // Resetting one's own: this session stays, but may only enrol again where that is required.
      await store.sessions.deleteOthers(staffId, currentSession(res).id);
      if (auth.requiresSecondFactor(me)) await store.sessions.setScope(currentSession(res).id, 'enrol');
    } else {
      await store.sessions.deleteForStaff(staffId);
    }
    await audit(me.id, 'totp_reset', target.name);
    res.json({ ok: true });
  });

  router.post('/api/v1/staff/me/password', anyStaff, async (req: Request, res: Response) => {
    const body = parse(z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().max(1000) }).strict(), req.body, res);
    if (!body) return;
    const staff = currentStaff(res);
    const account = await store.staff.findByName(staff.name);
    let matches: boolean;
    try {
      matches = account !== undefined && (await auth.checkPassword(body.currentPassword, account.passwordHash));
    } catch (err) {
      if (!(err instanceof HasherBusyError)) throw err;
      res.set('Retry-After', '2').status(503).json({ error: 'busy', message: 'too many password checks at once; try again in 2 seconds' });
      return;
    }
    if (!account || !matches) {
      await audit(staff.id, 'password_change_failed', staff.name);
      res.status(403).json({ error: 'wrong_password', message: 'the current password is wrong' });
      return;
    }
    const problem = await passwordProblem(body.newPassword, staff);
    if (problem) {
      refuseWeakPassword(res, problem);
      return;
    }
    await store.staff.update(staff.id, { passwordHash: await hashPassword(body.newPassword) });
    // Whoever else holds a session of this account (a stolen cookie, another computer) is logged out.
    await store.sessions.deleteOthers(staff.id, currentSession(res).id);
    await audit(staff.id, 'password_change', staff.name);
    res.json({ ok: true });
  });

  return router;
}
