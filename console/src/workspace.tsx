/**
 * The logged-in console: header, menu, and the views a role may use. Holds the queue and the open case,
 * kept current by the live connection (and reloaded after it reconnects).
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';
import { AuditView } from './audit-view.tsx';
import { CaseView } from './case-view.tsx';
import { DashboardView } from './dashboard-view.tsx';
import { useDemandStrings } from './demand-i18n.ts';
import { DemandView } from './demand-view.tsx';
import { DraftsView } from './drafts-view.tsx';
import { pick, ROLE_LABELS, useI18n } from './i18n.ts';
import { LiveConnection, type LiveStatus } from './live.ts';
import { QueueList } from './queue-list.tsx';
import { RatingsView } from './ratings-view.tsx';
import { useSecurityStrings } from './security-i18n.ts';
import { SecurityView } from './security-view.tsx';
import { StaffView } from './staff-view.tsx';
import type { Case, CaseDetail, Department, LiveFrame, Staff } from './types.ts';

type View = 'queue' | 'ratings' | 'drafts' | 'demand' | 'dashboard' | 'staff' | 'audit' | 'security';

/** Re-renders every `ms` so waiting times and countdowns tick. */
function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

const byAge = (a: Case, b: Case) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id;

/** A live `case` frame over what the console already knows (the frame's question is always masked). */
function merge(known: Case | undefined, next: Case, me: Staff): Case {
  if (!known) return next;
  const keepQuestion = next.assigneeId === me.id && known.assigneeId === me.id;
  return {
    ...known,
    ...next,
    question: keepQuestion ? known.question : next.question,
    candidates: known.candidates.length === next.candidates.length ? known.candidates : next.candidates,
    assignee: next.assignee !== undefined ? next.assignee : next.assigneeId === known.assigneeId ? known.assignee : null,
  };
}

/** Whether a case belongs in this staff member's open queue. */
function inMyQueue(e: Case, me: Staff): boolean {
  if (e.state === 'resolved') return false;
  return me.role !== 'agent' || me.departments.includes(e.department) || e.assigneeId === me.id;
}

let liveIds = 0;

export function Workspace(props: { me: Staff; langButton: ComponentChildren; onLogOut: () => void }) {
  const { me } = props;
  const { lang, t } = useI18n();
  const demandText = useDemandStrings();
  const securityText = useSecurityStrings();
  const now = useNow(1000);
  const [view, setView] = useState<View>('queue');
  const [departments, setDepartments] = useState<Department[]>([]);
  const [cases, setCases] = useState<Case[]>([]);
  const [queueError, setQueueError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveStatus>('connecting');
  const [staff, setStaff] = useState<Staff[]>([]);
  const openIdRef = useRef<number | null>(null);
  openIdRef.current = openId;

  const loadQueue = useCallback(async () => {
    try {
      const r = await api.get<{ escalations: Case[] }>('/api/v1/escalations');
      setCases(r.escalations.slice().sort(byAge));
      setQueueError(null);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) setQueueError(t.failed((err as Error).message));
    }
  }, [t]);

  const loadCase = useCallback(
    async (id: number) => {
      try {
        const r = await api.get<CaseDetail>(`/api/v1/escalations/${id}`);
        if (openIdRef.current !== id) return;
        setDetail(r);
        setDetailError(null);
      } catch (err) {
        if (openIdRef.current !== id) return;
        setDetail(null);
        setDetailError(t.failed((err as Error).message));
      }
    },
    [t],
  );

  const onFrame = useCallback(
    (frame: LiveFrame) => {
      if (frame.type === 'case') {
        const e = frame.escalation;
        setCases((list) => {
          const known = list.find((c) => c.id === e.id);
          const rest = list.filter((c) => c.id !== e.id);
          return inMyQueue(e, me) ? [...rest, merge(known, e, me)].sort(byAge) : rest;
        });
        setDetail((d) => (d && d.escalation.id === e.id ? { ...d, escalation: merge(d.escalation, e, me) } : d));
      } else if (frame.type === 'message') {
        setDetail((d) => {
          if (!d || d.escalation.id !== frame.escalationId) return d;
          if (frame.direction === 'note') {
            if (d.notes.some((n) => n.text === frame.text && Date.parse(n.createdAt) === Date.parse(frame.at))) return d;
            return { ...d, notes: [...d.notes, { id: -++liveIds, staffName: frame.staffName ?? '', text: frame.text, createdAt: frame.at }] };
          }
          return { ...d, messages: [...d.messages, { id: `live-${++liveIds}`, direction: frame.direction, text: frame.text, staffName: frame.staffName, time: frame.at }] };
        });
      }
    },
    [me],
  );

  // The live connection lives as long as the login; it calls the latest handlers through this ref.
  const latest = useRef({ onFrame, loadQueue, loadCase });
  latest.current = { onFrame, loadQueue, loadCase };

  useEffect(() => {
    const { loadQueue } = latest.current;
    void loadQueue();
    api
      .get<{ departments: Department[] }>('/api/v1/departments')
      .then((r) => setDepartments(r.departments))
      .catch(() => undefined);
    if (me.role !== 'agent') {
      api
        .get<{ staff: Staff[] }>('/api/v1/staff')
        .then((r) => setStaff(r.staff))
        .catch(() => undefined);
    }
    const connection = new LiveConnection({
      frame: (frame) => latest.current.onFrame(frame),
      status: setLive,
      reconnected: () => {
        void latest.current.loadQueue();
        if (openIdRef.current !== null) void latest.current.loadCase(openIdRef.current);
      },
    });
    connection.start();
    // No polling: it would keep an unattended console's session alive past the idle timeout.
    return () => connection.stop();
  }, [me]);

  const open = (id: number) => {
    setOpenId(id);
    openIdRef.current = id;
    setDetail((d) => (d?.escalation.id === id ? d : null));
    setDetailError(null);
    void loadCase(id);
  };

  const deptName = useMemo(() => {
    const names = new Map(departments.map((d) => [d.id, pick(d.name, lang)]));
    return (id: string) => names.get(id) || id;
  }, [departments, lang]);

  const tabs: Array<[View, string]> = [
    ['queue', t.navQueue],
    ...(me.role !== 'agent' ? ([['ratings', t.navRatings]] as Array<[View, string]>) : []),
    ['drafts', t.navDrafts],
    ['demand', demandText.navDemand],
    ...(me.role !== 'agent' ? ([['dashboard', demandText.navDashboard]] as Array<[View, string]>) : []),
    ...(me.role === 'admin' ? ([['staff', t.navStaff], ['audit', t.navAudit]] as Array<[View, string]>) : []),
    ['security', securityText.navSecurity],
  ];

  return (
    <div class="workspace">
      <header class="topbar">
        <h1>{t.appName}</h1>
        <nav aria-label={t.nav}>
          <ul>
            {tabs.map(([id, label]) => (
              <li key={id}>
                <button type="button" aria-current={view === id ? 'page' : undefined} onClick={() => setView(id)}>
                  {label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <span class={`live live-${live}`} role="status">
          {live === 'open' ? t.liveOpen : live === 'down' ? t.liveDown : t.liveConnecting}
        </span>
        <span class="me">
          {me.displayName} · {ROLE_LABELS[lang][me.role]}
        </span>
        {props.langButton}
        <button type="button" class="link-button" onClick={props.onLogOut}>
          {t.logOut}
        </button>
      </header>
      {view === 'queue' && (
        <div class="queue-view">
          <QueueList me={me} cases={cases} now={now} openId={openId} onOpen={open} deptName={deptName} departments={departments} error={queueError} />
          <main class="case-pane" aria-label={t.caseLabel}>
            {openId === null ? (
              <p class="placeholder">{t.selectCase}</p>
            ) : detail ? (
              <CaseView
                key={detail.escalation.id}
                me={me}
                detail={detail}
                now={now}
                departments={departments}
                deptName={deptName}
                staff={staff}
                liveOpen={live === 'open'}
                reload={() => loadCase(detail.escalation.id)}
                onChanged={(e) => {
                  setDetail((d) => (d && d.escalation.id === e.id ? { ...d, escalation: merge(d.escalation, e, me) } : d));
                  setCases((list) => {
                    const rest = list.filter((c) => c.id !== e.id);
                    return inMyQueue(e, me) ? [...rest, e].sort(byAge) : rest;
                  });
                }}
                setNotes={(notes) => setDetail((d) => (d ? { ...d, notes } : d))}
              />
            ) : detailError ? (
              <p class="error" role="alert">
                {detailError}
              </p>
            ) : (
              <p class="placeholder">{t.loading}</p>
            )}
          </main>
        </div>
      )}
      {view === 'ratings' && <RatingsView deptName={deptName} />}
      {view === 'drafts' && <DraftsView me={me} departments={departments} deptName={deptName} />}
      {view === 'staff' && <StaffView departments={departments} deptName={deptName} onChanged={setStaff} onDepartments={setDepartments} />}
      {view === 'audit' && <AuditView />}
      {view === 'security' && <SecurityView />}
      {view === 'demand' && <DemandView me={me} departments={departments} deptName={deptName} />}
      {view === 'dashboard' && <DashboardView deptName={deptName} />}
    </div>
  );
}
