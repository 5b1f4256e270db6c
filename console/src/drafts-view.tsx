/**
 * FAQ drafts: those assigned to the staff member's departments, by due date (overdue ones highlighted); staff edit the
 * title, questions, answer, department and due date and submit; administrators publish (the bot retrains, and the
 * citizens who asked can be told) or reject.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { useDraftStrings } from './drafts-i18n.ts';
import './drafts.css';
import { useI18n } from './i18n.ts';
import { localDateTime } from './time.ts';
import type { Department, FaqDraft, NoticeCounts, Staff } from './types.ts';

type Tab = 'open' | 'published' | 'rejected';
const STATUS_OF: Record<Tab, FaqDraft['status']> = { open: 'draft', published: 'published', rejected: 'rejected' };
const CHINA_MS = 8 * 3_600_000;

/** The China-time date (YYYY-MM-DD) of an ISO time, as a date input shows it. */
const chinaDate = (iso: string): string => new Date(Date.parse(iso) + CHINA_MS).toISOString().slice(0, 10);

export function DraftsView(props: { me: Staff; departments: Department[]; deptName: (id: string) => string }) {
  const { lang, t } = useI18n();
  const s = useDraftStrings();
  const [tab, setTab] = useState<Tab>('open');
  const [drafts, setDrafts] = useState<FaqDraft[]>([]);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [notify, setNotify] = useState<Record<number, boolean>>({});
  const [flash, setFlash] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const isAdmin = props.me.role === 'admin';

  const load = async (which: Tab = tab) => {
    try {
      const r = await api.get<{ drafts: FaqDraft[] }>(`/api/v1/faq-drafts?status=${STATUS_OF[which]}`);
      setDrafts(r.drafts);
    } catch (err) {
      setFlash({ kind: 'error', text: t.failed((err as Error).message) });
    }
  };
  useEffect(() => {
    void load(tab);
  }, [tab]);

  /** Runs one action on a draft, then shows its message and reloads the list. */
  const run = async (draft: FaqDraft, action: () => Promise<string>, pending?: string) => {
    setBusyId(draft.id);
    setFlash(pending ? { kind: 'ok', text: pending } : null);
    try {
      const message = await action();
      setFlash({ kind: 'ok', text: message });
      setEditing(null);
      await load();
    } catch (err) {
      setFlash({ kind: 'error', text: t.failed((err as Error).message) });
    } finally {
      setBusyId(null);
    }
  };

  const publish = (d: FaqDraft) =>
    run(
      d,
      async () => {
        const r = await api.post<{ entryId: string; notifications: NoticeCounts | null }>(`/api/v1/faq-drafts/${d.id}/publish`, { notify: notify[d.id] === true });
        const told = r.notifications ? ` ${s.notified(r.notifications.sent, r.notifications.skipped, r.notifications.failed)}` : '';
        return `${t.published(r.entryId)}${told}`;
      },
      t.publishing,
    );
  const submit = (d: FaqDraft) => run(d, async () => (await api.post(`/api/v1/faq-drafts/${d.id}/submit`), s.submittedOk));
  const reject = (d: FaqDraft) => run(d, async () => (await api.post(`/api/v1/faq-drafts/${d.id}/reject`), t.rejected));

  const tabs: Tab[] = ['open', 'published', 'rejected'];
  return (
    <main class="page" aria-labelledby="drafts-title">
      <div class="page-head">
        <h2 id="drafts-title">{t.draftsTitle}</h2>
        <div class="segmented" role="group" aria-label={t.state}>
          {tabs.map((x) => (
            <button key={x} type="button" aria-pressed={x === tab} onClick={() => setTab(x)}>
              {s.tabs[x]}
            </button>
          ))}
        </div>
      </div>
      <p class="muted">{s.hint}</p>
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
            <li key={d.id} class={`panel draft${d.overdue ? ' overdue' : ''}`} aria-labelledby={`draft-${d.id}`}>
              <h3 id={`draft-${d.id}`}>{d.title}</h3>
              <p class="muted">
                {props.deptName(d.department)} · {t.createdAt} {localDateTime(d.createdAt, lang)}
                {d.dueAt && (
                  <span class={d.overdue ? 'due overdue' : 'due'}>
                    {' '}
                    · {s.due} {chinaDate(d.dueAt)}
                    {d.overdue && <strong class="overdue-flag"> {s.overdue}</strong>}
                  </span>
                )}
                {' · '}
                {d.status === 'draft' ? (d.submittedAt ? s.submitted : s.inProgress) : t.draftStatus[d.status]}
                {d.entryId ? ` · ${d.entryId}` : ''}
                {d.topicId ? ` · ${s.fromTopic} ${d.topicId}` : ''}
                {d.askedBy > 0 ? ` · ${s.askedBy(d.askedBy)}` : ''}
              </p>
              {editing === d.id ? (
                <DraftEditor
                  draft={d}
                  departments={props.departments}
                  deptName={props.deptName}
                  busy={busyId !== null}
                  onCancel={() => setEditing(null)}
                  onSave={(patch) => run(d, async () => (await api.patch(`/api/v1/faq-drafts/${d.id}`, patch), s.saved))}
                />
              ) : (
                <>
                  <h4>{t.faqQuestions}</h4>
                  <ul class="questions">
                    {d.questions.map((q, i) => (
                      <li key={i}>{q}</li>
                    ))}
                  </ul>
                  <h4>{t.faqAnswer}</h4>
                  <p class="answer">{d.answer || <span class="muted">{s.noAnswer}</span>}</p>
                </>
              )}
              {d.status === 'draft' && editing !== d.id && (
                <div class="buttons">
                  <button type="button" disabled={busyId !== null} onClick={() => setEditing(d.id)} aria-label={`${s.edit}: ${d.title}`}>
                    {s.edit}
                  </button>
                  {!d.submittedAt && (
                    <button type="button" disabled={busyId !== null || !d.answer} onClick={() => submit(d)} aria-label={`${s.submit}: ${d.title}`}>
                      {s.submit}
                    </button>
                  )}
                  {isAdmin && (
                    <>
                      <label class="notify">
                        <input type="checkbox" checked={notify[d.id] === true} onChange={(e) => setNotify({ ...notify, [d.id]: e.currentTarget.checked })} />
                        {s.notify}
                      </label>
                      <button type="button" class="primary" disabled={busyId !== null || !d.answer} onClick={() => publish(d)} aria-label={`${t.publish}: ${d.title}`}>
                        {t.publish}
                      </button>
                      <button type="button" disabled={busyId !== null} onClick={() => reject(d)} aria-label={`${t.reject}: ${d.title}`}>
                        {t.reject}
                      </button>
                    </>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

interface DraftPatch {
  title: string;
  department: string;
  questions: string[];
  answer: string;
  dueAt?: string;
}

function DraftEditor(props: { draft: FaqDraft; departments: Department[]; deptName: (id: string) => string; busy: boolean; onCancel: () => void; onSave: (patch: DraftPatch) => void }) {
  const s = useDraftStrings();
  const d = props.draft;
  const [title, setTitle] = useState(d.title);
  const [department, setDepartment] = useState(d.department);
  const [questions, setQuestions] = useState(d.questions.join('\n'));
  const [answer, setAnswer] = useState(d.answer);
  const [due, setDue] = useState(d.dueAt ? chinaDate(d.dueAt) : '');
  const field = (name: string) => `draft-${d.id}-${name}`;
  return (
    <form
      class="draft-editor"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave({
          title: title.trim(),
          department,
          answer: answer.trim(),
          questions: questions
            .split('\n')
            .map((q) => q.trim())
            .filter(Boolean),
          ...(due ? { dueAt: due } : {}),
        });
      }}
    >
      <label for={field('department')}>{s.department}</label>
      <select id={field('department')} value={department} onChange={(e) => setDepartment(e.currentTarget.value)}>
        {props.departments.map((x) => (
          <option key={x.id} value={x.id}>
            {props.deptName(x.id)}
          </option>
        ))}
      </select>
      <label for={field('title')}>{s.title}</label>
      <input id={field('title')} required maxLength={200} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label for={field('questions')}>{s.questions}</label>
      <textarea id={field('questions')} required rows={4} value={questions} onInput={(e) => setQuestions(e.currentTarget.value)} />
      <label for={field('answer')}>{s.answer}</label>
      <textarea id={field('answer')} rows={6} maxLength={8000} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />
      <label for={field('due')}>{s.dueDate}</label>
      <input id={field('due')} type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={props.busy}>
          {s.save}
        </button>
        <button type="button" onClick={props.onCancel}>
          {s.cancel}
        </button>
      </div>
    </form>
  );
}
