/** The login page. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';
import { useI18n } from './i18n.ts';
import type { Staff } from './types.ts';

export function LoginForm(props: { langButton: ComponentChildren; notice?: string; onLoggedIn: (staff: Staff, csrfToken: string) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ staff: Staff; csrfToken: string }>('/api/v1/staff/login', { name: name.trim(), password });
      props.onLoggedIn(r.staff, r.csrfToken);
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
        <h2>{t.loginTitle}</h2>
        {props.notice && !error && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
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
      </div>
    </main>
  );
}
