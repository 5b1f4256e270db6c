/** One case: what the citizen asked, what the bot understood, the transcript, and every action on it. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';
import { Deadline } from './deadline.tsx';
import { FaqForm } from './faq-form.tsx';
import { CHANNEL_LABELS, OUTCOME_LABELS, pick, STATE_LABELS, TRIGGER_LABELS, useI18n } from './i18n.ts';
import { CannedReplies, KbSearch } from './reply-tools.tsx';
import { localDateTime, localTime } from './time.ts';
import type { Case, CaseDetail, Department, Note, Staff } from './types.ts';

type Flash = { kind: 'ok' | 'error'; text: string } | null;

const CLAIMABLE = ['pending', 'transferred', 'expired'];

export function CaseView(props: {
  me: Staff;
  detail: CaseDetail;
  now: number;
  departments: Department[];
  deptName: (id: string) => string;
  staff: Staff[];
  liveOpen: boolean;
  reload: () => Promise<void>;
  onChanged: (e: Case) => void;
  setNotes: (notes: Note[]) => void;
}) {
  const { me, detail } = props;
  const e = detail.escalation;
  const { lang, t } = useI18n();
  const [flash, setFlash] = useState<Flash>(null);
  const [reply, setReply] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [transferTo, setTransferTo] = useState('');
  const [transferNote, setTransferNote] = useState('');
  const [reassignTo, setReassignTo] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [faqOpen, setFaqOpen] = useState(false);
  const logRef = useRef<HTMLDivElement>(null);
  const replyRef = useRef<HTMLTextAreaElement>(null);

  const holdsIt = e.state === 'assigned' && (e.assigneeId === me.id || me.role !== 'agent');
  const closed = e.state === 'resolved';

  const headingRef = useRef<HTMLHeadingElement>(null);
  // Opening a case moves keyboard focus to it.
  useEffect(() => headingRef.current?.focus(), []);

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [detail.messages.length]);

  /** Runs an action; a refusal shows the API's reason, a 409 also reloads the case. */
  const act = async (action: () => Promise<string | null>, conflictText?: string) => {
    setBusy(true);
    setFlash(null);
    try {
      const ok = await action();
      if (ok) setFlash({ kind: 'ok', text: ok });
    } catch (err) {
      const conflict = err instanceof ApiError && err.status === 409;
      setFlash({ kind: 'error', text: conflict && conflictText ? conflictText : t.failed((err as Error).message) });
      if (conflict) await props.reload();
    } finally {
      setBusy(false);
    }
  };

  const claim = () =>
    act(async () => {
      const r = await api.post<{ escalation: Case }>(`/api/v1/escalations/${e.id}/claim`);
      props.onChanged(r.escalation);
      await props.reload();
      replyRef.current?.focus();
      return t.claimed;
    }, t.claimConflict);

  const send = () =>
    act(async () => {
      const text = reply.trim();
      if (!text) return null;
      const r = await api.post<{ escalation: Case; delivery: { status: string; reason?: string } }>(`/api/v1/escalations/${e.id}/messages`, { text });
      setReply('');
      props.onChanged(r.escalation);
      if (!props.liveOpen) await props.reload();
      if (r.delivery.status !== 'sent') throw new Error(t.undeliverable(r.delivery.reason ?? r.delivery.status));
      return null;
    });

  const addNote = () =>
    act(async () => {
      const text = note.trim();
      if (!text) return null;
      const r = await api.post<{ notes: Note[] }>(`/api/v1/escalations/${e.id}/notes`, { text });
      setNote('');
      props.setNotes(r.notes);
      return null;
    });

  const transfer = () =>
    act(async () => {
      if (!transferTo) return null;
      const r = await api.post<{ escalation: Case }>(`/api/v1/escalations/${e.id}/transfer`, { department: transferTo, ...(transferNote.trim() ? { note: transferNote.trim() } : {}) });
      props.onChanged(r.escalation);
      setTransferNote('');
      await props.reload();
      return t.transferred(props.deptName(transferTo));
    });

  const resolve = () =>
    act(async () => {
      setConfirming(false);
      const r = await api.post<{ escalation: Case }>(`/api/v1/escalations/${e.id}/resolve`);
      props.onChanged(r.escalation);
      return t.resolved;
    });

  const reassign = () =>
    act(async () => {
      const target = props.staff.find((s) => String(s.id) === reassignTo);
      if (!target) return null;
      const r = await api.post<{ escalation: Case }>(`/api/v1/escalations/${e.id}/reassign`, { staffId: target.id });
      props.onChanged(r.escalation);
      await props.reload();
      return t.reassigned(target.displayName);
    });

  const insert = (text: string) => {
    setReply((current) => (current.trim() ? `${current.trimEnd()}\n${text}` : text));
    replyRef.current?.focus();
  };

  const lastStaffReply = [...detail.messages].reverse().find((m) => m.direction === 'out' && m.staffName)?.text ?? '';

  return (
    <article class="case" aria-labelledby="case-title">
      <header class="case-head">
        <h2 id="case-title" ref={headingRef} tabIndex={-1}>
          {t.caseLabel} {e.caseNumber} <span class={`state state-${e.state}`}>{STATE_LABELS[lang][e.state]}</span>
        </h2>
        {!closed && <Deadline escalation={e} now={props.now} />}
      </header>
      <dl class="facts">
        <div>
          <dt>{t.channel}</dt>
          <dd>{CHANNEL_LABELS[lang][e.channel] ?? e.channel}</dd>
        </div>
        <div>
          <dt>{t.department}</dt>
          <dd>{props.deptName(e.department)}</dd>
        </div>
        <div>
          <dt>{t.trigger}</dt>
          <dd>{TRIGGER_LABELS[lang][e.trigger] ?? e.trigger}</dd>
        </div>
        <div>
          <dt>{t.opened}</dt>
          <dd>{localDateTime(e.createdAt, lang)}</dd>
        </div>
        <div>
          <dt>{t.due}</dt>
          <dd>{localDateTime(e.dueAt, lang)}</dd>
        </div>
        <div>
          <dt>{t.assignedTo}</dt>
          <dd class="assignee">{e.assignee?.displayName ?? t.unassigned}</dd>
        </div>
      </dl>
      {e.deliveryProblem && (
        <p class="error" role="alert">
          {t.deliveryProblem}: {e.deliveryProblem}
        </p>
      )}

      <div class="case-body">
        <div class="case-main">
          <section aria-labelledby="question-title">
            <h3 id="question-title">{t.question}</h3>
            <blockquote class="question-text">{e.question}</blockquote>
          </section>
          <section aria-labelledby="candidates-title">
            <h3 id="candidates-title">{t.understood}</h3>
            {e.candidates.length === 0 ? (
              <p class="placeholder">{t.noCandidates}</p>
            ) : (
              <table class="candidates">
                <thead>
                  <tr>
                    <th scope="col">{t.entry}</th>
                    <th scope="col">{t.score}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.candidates.slice(0, 5).map((c) => (
                    <tr key={c.entryId}>
                      <td>
                        {pick(c.title, lang) || c.entryId} <span class="muted">{c.entryId}</span>
                      </td>
                      <td class="num">
                        <meter min={0} max={1} value={c.score} aria-hidden="true" /> {c.score.toFixed(2)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section aria-labelledby="transcript-title">
            <h3 id="transcript-title">{t.transcript}</h3>
            <div class="transcript" ref={logRef} role="log" aria-live="polite" aria-labelledby="transcript-title" tabIndex={0}>
              <ol>
              {detail.messages.map((m) => {
                const who = m.direction === 'in' ? t.citizen : m.staffName ? `${m.staffName}${t.staffSuffix}` : t.bot;
                const kind = m.direction === 'in' ? 'citizen' : m.staffName ? 'staff' : 'bot';
                return (
                  <li key={m.id} class={`msg msg-${kind}`}>
                    <div class="msg-meta">
                      <span class="who">{who}</span> <time dateTime={m.time}>{localTime(m.time, lang)}</time>
                      {m.outcome && kind === 'bot' && <span class="outcome">{OUTCOME_LABELS[lang][m.outcome] ?? m.outcome}</span>}
                    </div>
                    <div class="bubble">{m.text}</div>
                  </li>
                );
              })}
              </ol>
            </div>
          </section>

          {flash && (
            <p class={flash.kind === 'error' ? 'error' : 'ok'} role={flash.kind === 'error' ? 'alert' : 'status'}>
              {flash.text}
            </p>
          )}

          {!closed && CLAIMABLE.includes(e.state) && (
            <div class="buttons">
              <button type="button" class="primary" disabled={busy} onClick={claim}>
                {t.claim}
              </button>
            </div>
          )}
          {e.state === 'assigned' && e.assigneeId !== me.id && e.assignee && <p class="hint">{t.heldBy(e.assignee.displayName)}</p>}

          {holdsIt && (
            <form
              class="composer"
              onSubmit={(ev) => {
                ev.preventDefault();
                void send();
              }}
            >
              <label for="reply-text">{t.reply}</label>
              <textarea
                id="reply-text"
                ref={replyRef}
                rows={4}
                maxLength={4000}
                placeholder={t.replyPlaceholder}
                value={reply}
                onInput={(ev) => setReply(ev.currentTarget.value)}
                onKeyDown={(ev) => {
                  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
                    ev.preventDefault();
                    void send();
                  }
                }}
              />
              <div class="buttons">
                <button type="submit" class="primary" disabled={busy || !reply.trim()}>
                  {busy ? t.sending : t.send}
                </button>
                <CannedReplies onInsert={insert} />
                {confirming ? (
                  <span class="confirm" role="group" aria-label={t.resolveConfirm}>
                    <span>{t.resolveConfirm}</span>
                    <button type="button" class="danger" onClick={resolve}>
                      {t.confirm}
                    </button>
                    <button type="button" onClick={() => setConfirming(false)}>
                      {t.cancel}
                    </button>
                  </span>
                ) : (
                  <button type="button" class="push-right" disabled={busy} onClick={() => setConfirming(true)}>
                    {t.resolve}
                  </button>
                )}
              </div>
            </form>
          )}
          {holdsIt && <KbSearch onInsert={insert} deptName={props.deptName} />}
        </div>

        <aside class="case-side">
          <section class="panel" aria-labelledby="notes-title">
            <h3 id="notes-title">{t.notes}</h3>
            <p class="hint">{t.notesHint}</p>
            {detail.notes.length === 0 ? (
              <p class="placeholder">{t.noNotes}</p>
            ) : (
              <ul class="notes">
                {detail.notes.map((n) => (
                  <li key={n.id}>
                    <div class="msg-meta">
                      <span class="who">{n.staffName}</span> <time dateTime={n.createdAt}>{localDateTime(n.createdAt, lang)}</time>
                    </div>
                    <div class="note-text">{n.text}</div>
                  </li>
                ))}
              </ul>
            )}
            <form
              onSubmit={(ev) => {
                ev.preventDefault();
                void addNote();
              }}
            >
              <label for="note-text" class="sr-only">
                {t.notePlaceholder}
              </label>
              <textarea id="note-text" rows={2} maxLength={4000} placeholder={t.notePlaceholder} value={note} onInput={(ev) => setNote(ev.currentTarget.value)} />
              <button type="submit" disabled={busy || !note.trim()}>
                {t.addNote}
              </button>
            </form>
          </section>

          {!closed && (e.state !== 'assigned' || holdsIt) && (
            <section class="panel" aria-labelledby="transfer-title">
              <h3 id="transfer-title">{t.transfer}</h3>
              <label for="transfer-to">{t.transferTo}</label>
              <select id="transfer-to" value={transferTo} onChange={(ev) => setTransferTo(ev.currentTarget.value)}>
                <option value="">—</option>
                {props.departments
                  .filter((d) => d.id !== e.department)
                  .map((d) => (
                    <option key={d.id} value={d.id}>
                      {props.deptName(d.id)}
                    </option>
                  ))}
              </select>
              <label for="transfer-note">{t.transferNote}</label>
              <input id="transfer-note" maxLength={1000} value={transferNote} onInput={(ev) => setTransferNote(ev.currentTarget.value)} />
              <button type="button" disabled={busy || !transferTo} onClick={transfer}>
                {t.transfer}
              </button>
            </section>
          )}

          {!closed && me.role !== 'agent' && (
            <section class="panel" aria-labelledby="reassign-title">
              <h3 id="reassign-title">{t.reassign}</h3>
              <label for="reassign-to">{t.reassignTo}</label>
              <select id="reassign-to" value={reassignTo} onChange={(ev) => setReassignTo(ev.currentTarget.value)}>
                <option value="">{t.chooseStaff}</option>
                {props.staff
                  .filter((s) => s.active)
                  .map((s) => (
                    <option key={s.id} value={String(s.id)}>
                      {s.displayName} ({s.name})
                    </option>
                  ))}
              </select>
              <button type="button" disabled={busy || !reassignTo} onClick={reassign}>
                {t.reassign}
              </button>
            </section>
          )}

          {faqOpen ? (
            <FaqForm
              escalationId={e.id}
              department={e.department}
              question={e.question}
              answer={lastStaffReply}
              departments={props.departments}
              deptName={props.deptName}
              onCancel={() => setFaqOpen(false)}
              onDone={(text) => {
                setFaqOpen(false);
                setFlash({ kind: 'ok', text });
              }}
            />
          ) : (
            <div class="panel">
              <button type="button" onClick={() => setFaqOpen(true)}>
                {t.saveAsFaq}
              </button>
            </div>
          )}
        </aside>
      </div>
    </article>
  );
}
