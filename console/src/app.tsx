/** The console shell: checks the session, shows the login or the console, and holds the language choice. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken, whenLoggedOut } from './api.ts';
import { Workspace } from './workspace.tsx';
import { I18nContext, rememberLang, storedLang, STRINGS } from './i18n.ts';
import { LoginForm } from './login-form.tsx';
import { SecurityView } from './security-view.tsx';
import type { Lang, Staff } from './types.ts';

export function App() {
  const [lang, setLang] = useState<Lang>(storedLang);
  /** undefined while checking the session, null when logged out. */
  const [me, setMe] = useState<Staff | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  /** The account must set up two-step verification before anything else. */
  const [mustEnrol, setMustEnrol] = useState(false);
  const i18n = useMemo(() => ({ lang, t: STRINGS[lang] }), [lang]);

  useEffect(() => {
    rememberLang(lang);
    document.title = STRINGS[lang].appName;
  }, [lang]);

  useEffect(() => {
    whenLoggedOut(() => {
      setMe((current) => {
        if (current) setEnded(true);
        return null;
      });
    });
    api
      .get<{ staff: Staff; csrfToken: string; enrolmentRequired?: boolean }>('/api/v1/staff/me')
      .then((r) => {
        setCsrfToken(r.csrfToken);
        setMustEnrol(Boolean(r.enrolmentRequired));
        setMe(r.staff);
      })
      .catch((err: unknown) => {
        if (!(err instanceof ApiError) || err.status === 401) setMe(null);
        else setMe(null);
      });
  }, []);

  // Remembered at the click, not in the effect, which may run only after the next frame: a reload right after
  // the switch keeps the choice.
  const toggleLang = () => {
    const next = lang === 'zh' ? 'en' : 'zh';
    rememberLang(next);
    setLang(next);
  };
  const langButton = (
    <button type="button" class="link-button lang" lang={lang === 'zh' ? 'en' : 'zh-CN'} aria-label={i18n.t.switchLangLabel} onClick={toggleLang}>
      {i18n.t.switchLang}
    </button>
  );

  const logOut = async () => {
    await api.post('/api/v1/staff/logout').catch(() => undefined);
    setEnded(false);
    setMe(null);
  };

  return (
    <I18nContext.Provider value={i18n}>
      {me === undefined ? (
        <p class="boot">{i18n.t.loading}</p>
      ) : me === null ? (
        <LoginForm
          langButton={langButton}
          notice={ended ? i18n.t.sessionEnded : undefined}
          onLoggedIn={(staff, token, enrol) => {
            setCsrfToken(token);
            setEnded(false);
            setMustEnrol(enrol);
            setMe(staff);
          }}
        />
      ) : mustEnrol ? (
        <div class="workspace">
          <header class="topbar">
            <h1>{i18n.t.appName}</h1>
            {langButton}
            <button type="button" class="link-button" onClick={logOut}>
              {i18n.t.logOut}
            </button>
          </header>
          <SecurityView required onEnrolled={() => setMustEnrol(false)} />
        </div>
      ) : (
        <Workspace key={me.id} me={me} langButton={langButton} onLogOut={logOut} />
      )}
    </I18nContext.Provider>
  );
}
