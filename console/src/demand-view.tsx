/**
 * 需求分析 / Demand: ranked topics of questions the bot could not answer, with filters and trend sparklines; a topic
 * opens with its questions and the bot's nearest entries, and can become an FAQ draft, join an existing entry
 * (administrators), or be ignored with a reason.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from './api.ts';
import { Sparkline } from './chart.tsx';
import './demand.css';
import { useDemandStrings } from './demand-i18n.ts';
import { pick, useI18n } from './i18n.ts';
import { localDateTime } from './time.ts';
import type { FloodView, TopicQuestion, TopicView } from '../../src/demand/demand-topics.ts';
import type { Department, KbEntry, Staff } from './types.ts';

/** A topic as the demand API returns it (one definition, on the server). */
export type DemandTopic = TopicView;

interface TopicDetail {
  topic: DemandTopic;
  questions: TopicQuestion[];
  nearestEntries: Array<{ entryId: string; title: string | null; department: string | null; signals: number; bestScore: number; meanScore: number }>;
  draftSuggestion: { title: string; department: string | null; questions: string[]; lang: 'zh' | 'en'; dueAt: string };
}

const RANGES = [7, 30, 90] as const;
const KINDS = ['咨询', '投诉/求助', '建言'];
const STATUSES = ['open', 'drafted', 'covered', 'ignored'];
const DAY_MS = 86_400_000;
const CHINA_MS = 8 * 3_600_000;

/** What the topic list says about the period's signals: logged, counted, set aside as floods. */
interface SignalCounts {
  signals: number;
  counted: number;
  floods: { messages: number; sources: number };
}

/** The China-time date (YYYY-MM-DD) of an ISO time, as a date input shows it. */
const chinaDate = (iso: string): string => new Date(Date.parse(iso) + CHINA_MS).toISOString().slice(0, 10);

export function DemandView(props: { me: Staff; departments: Department[]; deptName: (id: string) => string }) {
  const d = useDemandStrings();
  const [days, setDays] = useState<number>(30);
  const [channel, setChannel] = useState('');
  const [department, setDepartment] = useState('');
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('');
  const [channels, setChannels] = useState<string[]>([]);
  const [topics, setTopics] = useState<DemandTopic[] | null>(null);
  const [counts, setCounts] = useState<SignalCounts>({ signals: 0, counted: 0, floods: { messages: 0, sources: 0 } });
  const [error, setError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [from] = useState(() => Date.now());

  const period = { from: new Date(from - days * DAY_MS).toISOString() };
  const filters = { ...period, channel: channel || undefined, department: department || undefined, kind: kind || undefined, status: status || undefined };

  const load = async () => {
    try {
      const r = await api.get<{ topics: DemandTopic[] } & SignalCounts>(`/api/v1/demand/topics${qs(filters)}`);
      setTopics(r.topics);
      setCounts({ signals: r.signals, counted: r.counted, floods: r.floods });
      setChannels((known) => [...new Set([...known, ...r.topics.flatMap((t) => t.channels.map((c) => c.channel))])].sort());
      setError(null);
    } catch (err) {
      setError(d.failed((err as Error).message));
    }
  };
  useEffect(() => {
    void load();
  }, [days, channel, department, kind, status]);

  const select = (label: string, value: string, set: (v: string) => void, options: Array<[string, string]>, all: string) => (
    <label>
      {label}
      <select value={value} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">{all}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );

  const exportQuery = qs(filters);
  return (
    <main class="demand-view" aria-labelledby="demand-title">
      <div class="page-head">
        <div>
          <h2 id="demand-title">{d.demandTitle}</h2>
          <p class="muted">{d.demandHint}</p>
        </div>
      </div>
      <div class="filters" role="group" aria-label={d.range}>
        <label>
          {d.range}
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {RANGES.map((n) => (
              <option key={n} value={String(n)}>
                {d.days(n)}
              </option>
            ))}
          </select>
        </label>
        {select(d.channel, channel, setChannel, channels.map((c) => [c, c]), d.allChannels)}
        {select(d.department, department, setDepartment, [...props.departments.map((x): [string, string] => [x.id, props.deptName(x.id)]), ['unknown', d.unknownDepartment]], d.allDepartments)}
        {select(d.kind, kind, setKind, KINDS.map((k) => [k, d.kinds[k] ?? k]), d.allKinds)}
        {select(d.status, status, setStatus, STATUSES.map((s) => [s, d.statuses[s] ?? s]), d.activeStatuses)}
        <span class="exports">
          <a class="button" href={`/api/v1/demand/export.csv${exportQuery}`} download>
            {d.exportCsv}
          </a>
          <a class="button" href={`/api/v1/demand/export.json${exportQuery}`} download>
            {d.exportJson}
          </a>
        </span>
      </div>
      <section aria-label={d.topic}>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {topics !== null && counts.floods.messages > 0 && <FloodNote counts={counts} query={qs({ ...period, channel: channel || undefined })} />}
        {topics === null ? (
          <p class="placeholder">{d.loading}</p>
        ) : topics.length === 0 ? (
          <p class="placeholder">{d.noTopics}</p>
        ) : (
          <>
            <p class="muted">{counts.counted === counts.signals ? d.signals(counts.signals) : d.counted(counts.signals, counts.counted)}</p>
            <ul class="topic-list">
              {topics.map((t) => (
                <li key={t.id} aria-current={t.id === openId ? 'true' : undefined}>
                  <button type="button" class="topic-open" onClick={() => setOpenId(t.id)}>
                    {t.label}
                    <span class={`badge badge-${t.status}`}>{d.statuses[t.status]}</span>
                  </button>
                  <span class="meta muted">
                    {d.kinds[t.kind] ?? t.kind} · {d.size} {t.size}
                    {t.messages > t.size ? ` (${d.messages} ${t.messages})` : ''} · {d.thisWeek} {t.thisWeek} · {t.department ? props.deptName(t.department) : d.unknownDepartment}
                  </span>
                  <Sparkline values={t.weekly} label={d.trendLabel(t.label, t.weekly)} />
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <section class="topic-detail" aria-label={d.topic}>
        {openId ? (
          <TopicPane
            key={openId}
            id={openId}
            query={qs({ ...period, channel: channel || undefined })}
            me={props.me}
            departments={props.departments}
            deptName={props.deptName}
            onChanged={() => void load()}
          />
        ) : (
          <p class="placeholder">{d.selectTopic}</p>
        )}
      </section>
    </main>
  );
}

/** The flood badge and count above the topics; the floods themselves (source, shared text, messages) on demand. */
function FloodNote(props: { counts: SignalCounts; query: string }) {
  const d = useDemandStrings();
  const { lang } = useI18n();
  const [floods, setFloods] = useState<FloodView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const toggle = async () => {
    if (open) {
      setOpen(false);
      return;
    }
    setOpen(true);
    try {
      setFloods((await api.get<{ floods: FloodView[] }>(`/api/v1/demand/floods${props.query}`)).floods);
      setError(null);
    } catch (err) {
      setError(d.failed((err as Error).message));
    }
  };
  const { messages, sources } = props.counts.floods;
  return (
    <div class="flood-note" role="note">
      <span class="badge badge-flood">{d.floodBadge}</span> {d.floodNote(messages, sources)}{' '}
      <button type="button" aria-expanded={open} onClick={() => void toggle()}>
        {open ? d.hideFloods : d.showFloods}
      </button>
      {open && (
        <section class="floods" aria-label={d.floodsTitle}>
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {!floods && !error && <p class="placeholder">{d.loading}</p>}
          <ul>
            {(floods ?? []).map((f) => (
              <li key={`${f.source}-${f.sourceId}-${f.pattern}`}>
                <strong>{d.floodSource(f.source, f.sourceId)}</strong> · {f.channel} · {d.floodSummary(f.messages, f.conversations)} · {d.floodPattern}: “{f.pattern}” ·{' '}
                {localDateTime(f.first, lang)} – {localDateTime(f.last, lang)}
                <details>
                  <summary>{d.floodTexts(f.texts.length)}</summary>
                  <ul class="flood-texts">
                    {f.texts.map((t) => (
                      <li key={t.id}>
                        {t.text} <span class="muted">· {localDateTime(t.createdAt, lang)}</span>
                      </li>
                    ))}
                  </ul>
                </details>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function TopicPane(props: { id: string; query: string; me: Staff; departments: Department[]; deptName: (id: string) => string; onChanged: () => void }) {
  const d = useDemandStrings();
  const { lang } = useI18n();
  const [detail, setDetail] = useState<TopicDetail | null>(null);
  const [mode, setMode] = useState<'none' | 'draft' | 'add' | 'ignore'>('none');
  const [flash, setFlash] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      setDetail(await api.get<TopicDetail>(`/api/v1/demand/topics/${encodeURIComponent(props.id)}${props.query}`));
    } catch (err) {
      setFlash({ kind: 'error', text: d.failed((err as Error).message) });
    }
  };
  useEffect(() => {
    void load();
  }, [props.id]);

  const act = async (path: string, body: unknown, ok: (r: never) => string) => {
    setBusy(true);
    setFlash(null);
    try {
      const r = await api.post<never>(`/api/v1/demand/topics/${encodeURIComponent(props.id)}/${path}${props.query}`, body);
      setFlash({ kind: 'ok', text: ok(r) });
      setMode('none');
      await load();
      props.onChanged();
    } catch (err) {
      setFlash({ kind: 'error', text: d.failed((err as Error).message) });
    } finally {
      setBusy(false);
    }
  };

  if (!detail) return flash ? <p class="error" role="alert">{flash.text}</p> : <p class="placeholder">{d.loading}</p>;
  const { topic } = detail;
  return (
    <article class="panel" aria-labelledby="topic-title">
      <h3 id="topic-title">
        {topic.label}
        <span class={`badge badge-${topic.status}`}>{d.statuses[topic.status]}</span>
      </h3>
      <p class="muted">
        {d.kinds[topic.kind] ?? topic.kind} · {d.size} {topic.size} · {d.messages} {topic.messages} · {d.keywords}: {topic.keywords.join('、')}
        {topic.firstSeen ? ` · ${d.firstSeen} ${localDateTime(topic.firstSeen, lang)}` : ''}
        {topic.lastSeen ? ` · ${d.lastSeen} ${localDateTime(topic.lastSeen, lang)}` : ''}
        {topic.reason ? ` · ${topic.reason}` : ''}
      </p>
      <p class="topic-departments">
        {d.likelyDepartments}:{' '}
        {topic.departments.length === 0
          ? d.unknownDepartment
          : topic.departments.map((x, i) => (
              <span key={x.department}>
                {i > 0 ? '、' : ''}
                {props.deptName(x.department)} {Math.round(x.share * 100)}%{x.resolved > 0 ? ` (${d.resolvedThere(x.resolved)})` : ''}
              </span>
            ))}
      </p>
      {flash && (
        <p class={flash.kind === 'error' ? 'error' : 'ok'} role={flash.kind === 'error' ? 'alert' : 'status'}>
          {flash.text}
        </p>
      )}
      <div class="topic-actions">
        {topic.status !== 'ignored' && (
          <>
            <button type="button" class="primary" disabled={busy} onClick={() => setMode('draft')}>
              {d.createDraft}
            </button>
            {props.me.role === 'admin' && (
              <button type="button" disabled={busy} onClick={() => setMode('add')}>
                {d.addToEntry}
              </button>
            )}
            <button type="button" disabled={busy} onClick={() => setMode('ignore')}>
              {d.ignore}
            </button>
          </>
        )}
        {topic.status === 'ignored' && (
          <button type="button" disabled={busy} onClick={() => void act('reopen', {}, () => d.reopened)}>
            {d.reopen}
          </button>
        )}
      </div>
      {mode === 'draft' && (
        <DraftForm detail={detail} departments={props.departments} deptName={props.deptName} busy={busy} onCancel={() => setMode('none')} onSubmit={(body) => void act('faq-draft', body, (r: { draft: { id: number; department: string; dueAt: string } }) => d.draftSaved(r.draft.id, props.deptName(r.draft.department), chinaDate(r.draft.dueAt)))} />
      )}
      {mode === 'add' && (
        <AddToEntry
          busy={busy}
          onCancel={() => setMode('none')}
          onPick={(entryId) => {
            setFlash({ kind: 'ok', text: d.adding });
            void act('add-to-entry', { entryId }, () => d.added(entryId));
          }}
        />
      )}
      {mode === 'ignore' && <IgnoreForm busy={busy} onCancel={() => setMode('none')} onSubmit={(reason) => void act('ignore', { reason }, () => d.ignored)} />}
      <h4>{d.questions}</h4>
      <ul class="questions">
        {detail.questions.map((q) => (
          <li key={q.id}>
            {q.text}{' '}
            <span class="muted">
              · {q.channel} · {q.reasons.map((r) => d.reasons[r] ?? r).join(' + ')}
              {q.messages > 1 ? ` · ${d.repeated(q.messages)}` : ''} · {localDateTime(q.createdAt, lang)}
            </span>
          </li>
        ))}
      </ul>
      <h4>{d.nearestEntries}</h4>
      {detail.nearestEntries.length === 0 ? (
        <p class="muted">{d.noNearest}</p>
      ) : (
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">{d.entry}</th>
              <th scope="col">{d.department}</th>
              <th scope="col">{d.timesConsidered}</th>
              <th scope="col">{d.bestScore}</th>
            </tr>
          </thead>
          <tbody>
            {detail.nearestEntries.map((e) => (
              <tr key={e.entryId}>
                <td>
                  {e.title ?? e.entryId} <span class="muted">{e.entryId}</span>
                </td>
                <td>{e.department ? props.deptName(e.department) : ''}</td>
                <td>{e.signals}</td>
                <td>{e.bestScore.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function DraftForm(props: {
  detail: TopicDetail;
  departments: Department[];
  deptName: (id: string) => string;
  busy: boolean;
  onCancel: () => void;
  onSubmit: (body: { title: string; department: string; questions: string[]; answer: string; lang: string; dueAt: string }) => void;
}) {
  const d = useDemandStrings();
  const s = props.detail.draftSuggestion;
  const [title, setTitle] = useState(s.title);
  const [department, setDepartment] = useState(s.department ?? props.departments[0]?.id ?? '');
  const [questions, setQuestions] = useState(s.questions.join('\n'));
  const [answer, setAnswer] = useState('');
  const [due, setDue] = useState(chinaDate(s.dueAt));
  const submit = (event: Event) => {
    event.preventDefault();
    props.onSubmit({
      title: title.trim(),
      department,
      lang: s.lang,
      dueAt: due,
      answer: answer.trim(),
      questions: questions
        .split('\n')
        .map((q) => q.trim())
        .filter(Boolean),
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="topic-draft-title">
      <h4 id="topic-draft-title">{d.createDraft}</h4>
      <p class="hint">{d.draftHint}</p>
      <label for="topic-draft-department">{d.department}</label>
      <select id="topic-draft-department" value={department} onChange={(e) => setDepartment(e.currentTarget.value)}>
        {props.departments.map((x) => (
          <option key={x.id} value={x.id}>
            {props.deptName(x.id)}
          </option>
        ))}
      </select>
      <label for="topic-draft-name">{d.title}</label>
      <input id="topic-draft-name" value={title} required maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label for="topic-draft-questions">{d.variants}</label>
      <textarea id="topic-draft-questions" value={questions} required onInput={(e) => setQuestions(e.currentTarget.value)} />
      <label for="topic-draft-answer">{d.answer}</label>
      <textarea id="topic-draft-answer" value={answer} maxLength={8000} onInput={(e) => setAnswer(e.currentTarget.value)} />
      <label for="topic-draft-due">{d.dueDate}</label>
      <input id="topic-draft-due" type="date" required value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      <div class="topic-actions">
        <button type="submit" class="primary" disabled={props.busy}>
          {d.saveDraft}
        </button>
        <button type="button" onClick={props.onCancel}>
          {d.cancel}
        </button>
      </div>
    </form>
  );
}

function AddToEntry(props: { busy: boolean; onCancel: () => void; onPick: (entryId: string) => void }) {
  const d = useDemandStrings();
  const { lang } = useI18n();
  const [q, setQ] = useState('');
  const [entries, setEntries] = useState<KbEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = async (event: Event) => {
    event.preventDefault();
    try {
      setEntries((await api.get<{ entries: KbEntry[] }>(`/api/v1/kb/search${qs({ q: q.trim() })}`)).entries);
      setError(null);
    } catch (err) {
      setError(d.failed((err as Error).message));
    }
  };
  return (
    <form onSubmit={search} aria-labelledby="topic-add-title">
      <h4 id="topic-add-title">{d.addToEntry}</h4>
      <p class="hint">{d.addHint}</p>
      <label for="topic-add-search">{d.searchEntries}</label>
      <input id="topic-add-search" type="search" value={q} required onInput={(e) => setQ(e.currentTarget.value)} />
      <div class="topic-actions">
        <button type="submit">{d.search}</button>
        <button type="button" onClick={props.onCancel}>
          {d.cancel}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p class="muted">{d.noEntries}</p>}
      {entries && entries.length > 0 && (
        <ul class="entry-results">
          {entries.map((e) => (
            <li key={e.id}>
              <span>
                {pick(e.title, lang)} <span class="muted">{e.id}</span>
              </span>
              <button type="button" disabled={props.busy} aria-label={`${d.add}: ${pick(e.title, lang)}`} onClick={() => props.onPick(e.id)}>
                {d.add}
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

function IgnoreForm(props: { busy: boolean; onCancel: () => void; onSubmit: (reason: string) => void }) {
  const d = useDemandStrings();
  const [reason, setReason] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(reason.trim());
      }}
    >
      <label for="topic-ignore-reason">{d.ignoreReason}</label>
      <input id="topic-ignore-reason" value={reason} required maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
      <div class="topic-actions">
        <button type="submit" disabled={props.busy}>
          {d.ignoreConfirm}
        </button>
        <button type="button" onClick={props.onCancel}>
          {d.cancel}
        </button>
      </div>
    </form>
  );
}
