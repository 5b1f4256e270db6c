/** FAQ drafts written from staff replies; administrators publish (the bot retrains) or reject them. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { useI18n } from './i18n.ts';
import { localDateTime } from './time.ts';
import type { FaqDraft, Staff } from './types.ts';

type Status = FaqDraft['status'];

export function DraftsView(props: { me: Staff; deptName: (id: string) => string }) {
  const { lang, t } = useI18n();
  const [status, setStatus] = useState<Status>('draft');
  const [drafts, setDrafts] = useState<FaqDraft[]>([]);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [flash, setFlash] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const isAdmin = props.me.role === 'admin';

  const load = async (which: Status = status) => {
    try {
      const r = await api.get<{ drafts: FaqDraft[] }>(`/api/v1/faq-drafts?status=${which}`);
      setDrafts(r.drafts);
    } catch (err) {
      setFlash({ kind: 'error', text: t.failed((err as Error).message) });
    }
  };
  useEffect(() => {
    void load(status);
  }, [status]);

  const decide = async (draft: FaqDraft, action: 'publish' | 'reject') => {
    setBusyId(draft.id);
    setFlash(action === 'publish' ? { kind: 'ok', text: t.publishing } : null);
    try {
      const r = await api.post<{ entryId?: string }>(`/api/v1/faq-drafts/${draft.id}/${action}`);
      setFlash({ kind: 'ok', text: action === 'publish' ? t.published(r.entryId ?? '') : t.rejected });
      await load();
    } catch (err) {
      setFlash({ kind: 'error', text: t.failed((err as Error).message) });
    } finally {
      setBusyId(null);
    }
  };

  const statuses: Status[] = ['draft', 'published', 'rejected'];
  return (
    <main class="page" aria-labelledby="drafts-title">
      <div class="page-head">
        <h2 id="drafts-title">{t.draftsTitle}</h2>
        <div class="segmented" role="group" aria-label={t.state}>
          {statuses.map((s) => (
            <button key={s} type="button" aria-pressed={s === status} onClick={() => setStatus(s)}>
              {t.draftStatus[s]}
            </button>
          ))}
        </div>
      </div>
      {flash && (
        <p class={flash.kind === 'error' ? 'error' : 'ok'} role={flash.kind === 'error' ? 'alert' : 'status'}>
          {flash.text}
        </p>
      )}
      {drafts.length === 0 ? (
        <p class="placeholder">{t.noDrafts}</p>
      ) : (
        <ul class="drafts">
          {drafts.map((d) => (
            <li key={d.id} class="panel" aria-labelledby={`draft-${d.id}`}>
              <h3 id={`draft-${d.id}`}>{d.title}</h3>
              <p class="muted">
                {props.deptName(d.department)} · {t.createdAt} {localDateTime(d.createdAt, lang)} · {t.draftStatus[d.status]}
                {d.entryId ? ` · ${d.entryId}` : ''}
              </p>
              <h4>{t.faqQuestions}</h4>
              <ul class="questions">
                {d.questions.map((q, i) => (
                  <li key={i}>{q}</li>
                ))}
              </ul>
              <h4>{t.faqAnswer}</h4>
              <p class="answer">{d.answer}</p>
              {isAdmin && d.status === 'draft' && (
                <div class="buttons">
                  <button type="button" class="primary" disabled={busyId !== null} onClick={() => decide(d, 'publish')} aria-label={`${t.publish}: ${d.title}`}>
                    {t.publish}
                  </button>
                  <button type="button" disabled={busyId !== null} onClick={() => decide(d, 'reject')} aria-label={`${t.reject}: ${d.title}`}>
                    {t.reject}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
