/** The login page. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';
import { useI18n } from './i18n.ts';
import { useSecurityStrings } from './security-i18n.ts';
import type { Staff } from './types.ts';

/** What login (or its second step) answers: a session, or the request for a code. */
type LoginAnswer = { staff: Staff; csrfToken: string; enrolmentRequired?: boolean } | { secondFactor: 'totp'; pendingToken: string };

/** The second step: the code from the authenticator app, or a recovery code. */
function CodeForm(props: { pendingToken: string; onLoggedIn: (staff: Staff, csrfToken: string, enrolmentRequired: boolean) => void; onRestart: (notice: string) => void }) {
  const t = useSecurityStrings();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ staff: Staff; csrfToken: string }>('/api/v1/staff/login/second-factor', { pendingToken: props.pendingToken, code: code.trim() });
      props.onLoggedIn(r.staff, r.csrfToken, false);
    } catch (err) {
      setCode('');
      if (err instanceof ApiError && err.code === 'invalid_code') setError(t.wrongCode(Number(err.body.attemptsLeft ?? 0)));
      else if (err instanceof ApiError && err.status === 429) props.onRestart(t.codeThrottled);
      else props.onRestart(t.loginExpired);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-describedby={error ? 'code-error' : 'code-hint'}>
      <h2>{t.codeTitle}</h2>
      <p id="code-hint">{t.codeHint}</p>
      <label for="login-code">{t.code}</label>
      <input id="login-code" name="code" autocomplete="one-time-code" required autofocus value={code} onInput={(e) => setCode(e.currentTarget.value)} />
      {error && (
        <p id="code-error" class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.verifying : t.verify}
      </button>
      <button type="button" class="link-button" onClick={() => props.onRestart('')}>
        {t.back}
      </button>
    </form>
  );
}

export function LoginForm(props: { langButton: ComponentChildren; notice?: string; onLoggedIn: (staff: Staff, csrfToken: string, enrolmentRequired: boolean) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pendingToken, setPendingToken] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<LoginAnswer>('/api/v1/staff/login', { name: name.trim(), password });
      setPassword('');
      if ('pendingToken' in r) setPendingToken(r.pendingToken);
      else props.onLoggedIn(r.staff, r.csrfToken, Boolean(r.enrolmentRequired));
    } catch (err) {
      setPassword('');
      if (err instanceof ApiError && err.status === 429) setError(t.throttled);
      else if (err instanceof ApiError && err.status === 0) setError(t.networkError);
      else setError(t.wrongLogin);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <div class="login-card">
        <div class="login-head">
          <h1>{t.appName}</h1>
          {props.langButton}
        </div>
        {props.notice && !error && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        {pendingToken ? (
          <CodeForm
            pendingToken={pendingToken}
            onLoggedIn={props.onLoggedIn}
            onRestart={(notice) => {
              setPendingToken(null);
              setError(notice || null);
            }}
          />
        ) : (
          <>
            <h2>{t.loginTitle}</h2>
            <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
              <label for="login-name">{t.userName}</label>
              <input id="login-name" name="username" autocomplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} autofocus />
              <label for="login-password">{t.password}</label>
              <input
                id="login-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
              {error && (
                <p id="login-error" class="error" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t.loggingIn : t.logIn}
              </button>
            </form>
          </>
        )}
      </div>
    </main>
  );
}
