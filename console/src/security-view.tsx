/**
 * Account security for every staff member: two-step verification (set up with a QR code, confirmed with a
 * code, recovery codes shown once) and a password change. An account that must have two-step verification
 * and has none sees only this until it is on.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, reasonOf } from './api.ts';
import { useI18n } from './i18n.ts';
import { useSecurityStrings } from './security-i18n.ts';

interface Status {
  available: boolean;
  enabled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
}

interface Enrolment {
  secret: string;
  uri: string;
  qrCode: string;
}

type Flash = { ok: boolean; text: string } | null;

function TwoFactorPanel(props: { onEnrolled: () => void }) {
  const t = useSecurityStrings();
  const { lang } = useI18n();
  const [status, setStatus] = useState<Status | null>(null);
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [flash, setFlash] = useState<Flash>(null);

  const load = () =>
    api
      .get<Status>('/api/v1/staff/2fa')
      .then(setStatus)
      .catch((err: unknown) => setFlash({ ok: false, text: t.failed + reasonOf(err, lang) }));
  useEffect(() => {
    void load();
  }, []);

  const begin = async () => {
    setFlash(null);
    try {
      setEnrolment(await api.post<Enrolment>('/api/v1/staff/2fa/setup'));
    } catch (err) {
      setFlash({ ok: false, text: t.failed + reasonOf(err, lang) });
    }
  };

  const confirm = async (event: Event) => {
    event.preventDefault();
    setFlash(null);
    try {
      const r = await api.post<{ recoveryCodes: string[] }>('/api/v1/staff/2fa/confirm', { code: code.trim() });
      setRecoveryCodes(r.recoveryCodes);
      setEnrolment(null);
      setCode('');
    } catch (err) {
      setFlash({ ok: false, text: err instanceof ApiError && err.code === 'invalid_code' ? t.wrongSetupCode : t.failed + reasonOf(err, lang) });
    }
  };

  const done = () => {
    setRecoveryCodes(null);
    void load();
    props.onEnrolled();
  };

  if (!status?.available) return null;
  return (
    <section class="panel" aria-labelledby="twofa-title">
      <h3 id="twofa-title">{t.twoFactor}</h3>
      <p>
        {status.enabled ? t.enabled : t.notEnabled}
        {status.enabled && ` · ${t.recoveryLeft(status.recoveryCodesLeft)}`}
      </p>
      {flash && (
        <p class={flash.ok ? 'ok' : 'error'} role={flash.ok ? 'status' : 'alert'}>
          {flash.text}
        </p>
      )}
      {recoveryCodes ? (
        <div>
          <h4>{t.recoveryTitle}</h4>
          <p>{t.recoveryHint}</p>
          <ul class="recovery-codes" aria-label={t.recoveryTitle}>
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <button type="button" class="primary" onClick={done}>
            {t.savedCodes}
          </button>
        </div>
      ) : enrolment ? (
        <form onSubmit={confirm} class="enrolment">
          <p>{t.scan}</p>
          <img src={enrolment.qrCode} alt={t.qrAlt} width={220} height={220} />
          <p>
            {t.secretLabel}：<code data-testid="totp-secret">{enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
          </p>
          <label for="totp-confirm">{t.confirmCode}</label>
          <input
            id="totp-confirm"
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
          <button type="submit" class="primary">
            {t.confirm}
          </button>
        </form>
      ) : (
        !status.enabled && (
          <button type="button" class="primary" onClick={begin}>
            {t.setUp}
          </button>
        )
      )}
    </section>
  );
}

function PasswordPanel() {
  const t = useSecurityStrings();
  const { lang } = useI18n();
  const empty = { current: '', next: '', repeat: '' };
  const [form, setForm] = useState(empty);
  const [flash, setFlash] = useState<Flash>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (form.next !== form.repeat) {
      setFlash({ ok: false, text: t.mismatch });
      return;
    }
    try {
      await api.post('/api/v1/staff/me/password', { currentPassword: form.current, newPassword: form.next });
      setForm(empty);
      setFlash({ ok: true, text: t.changed });
    } catch (err) {
      setFlash({ ok: false, text: err instanceof ApiError && err.code === 'wrong_password' ? t.wrongCurrent : reasonOf(err, lang) });
    }
  };

  return (
    <form class="panel staff-form" onSubmit={submit} aria-labelledby="password-title">
      <h3 id="password-title">{t.changePassword}</h3>
      {flash && (
        <p class={flash.ok ? 'ok' : 'error'} role={flash.ok ? 'status' : 'alert'}>
          {flash.text}
        </p>
      )}
      <label for="pw-current">{t.currentPassword}</label>
      <input id="pw-current" type="password" autocomplete="current-password" required value={form.current} onInput={(e) => setForm({ ...form, current: e.currentTarget.value })} />
      <label for="pw-new">{t.newPassword}</label>
      <input id="pw-new" type="password" autocomplete="new-password" required minLength={10} value={form.next} onInput={(e) => setForm({ ...form, next: e.currentTarget.value })} />
      <label for="pw-repeat">{t.repeatPassword}</label>
      <input id="pw-repeat" type="password" autocomplete="new-password" required value={form.repeat} onInput={(e) => setForm({ ...form, repeat: e.currentTarget.value })} />
      <button type="submit" class="primary">
        {t.save}
      </button>
    </form>
  );
}

/** `required`: the account may do nothing else until two-step verification is on (`onEnrolled` then lets it in). */
export function SecurityView(props: { required?: boolean; onEnrolled?: () => void }) {
  const t = useSecurityStrings();
  return (
    <main class="page" aria-labelledby="security-title">
      <div class="page-head">
        <h2 id="security-title">{t.securityTitle}</h2>
      </div>
      {props.required && (
        <p class="notice" role="status">
          {t.required}
        </p>
      )}
      <TwoFactorPanel onEnrolled={() => props.onEnrolled?.()} />
      <PasswordPanel />
    </main>
  );
}
