/** The queue: open cases of the staff member's departments (all for supervisors), oldest first. */
import { useState } from 'preact/hooks';
import { Deadline } from './deadline.tsx';
import { CHANNEL_LABELS, STATE_LABELS, useI18n } from './i18n.ts';
import type { Case, Department, Staff } from './types.ts';

export function QueueList(props: {
  me: Staff;
  cases: Case[];
  now: number;
  openId: number | null;
  onOpen: (id: number) => void;
  deptName: (id: string) => string;
  departments: Department[];
  error: string | null;
}) {
  const { lang, t } = useI18n();
  const [filter, setFilter] = useState('');
  const { me } = props;
  const choices = me.role === 'agent' ? me.departments : props.departments.map((d) => d.id);
  const shown = filter ? props.cases.filter((c) => c.department === filter) : props.cases;

  return (
    <aside class="queue" aria-labelledby="queue-title">
      <div class="queue-head">
        <h2 id="queue-title">
          {t.queueTitle} <span class="count">{shown.length}</span>
        </h2>
        <p class="hint">{t.queueHint}</p>
        {choices.length > 1 && (
          <label class="filter">
            <span>{t.filterDepartment}</span>
            <select value={filter} onChange={(e) => setFilter(e.currentTarget.value)}>
              <option value="">{me.role === 'agent' ? t.myQueues : t.allQueues}</option>
              {choices.map((id) => (
                <option key={id} value={id}>
                  {props.deptName(id)}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      {shown.length === 0 ? (
        <p class="placeholder">{t.emptyQueue}</p>
      ) : (
        <ul class="cases">
          {shown.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                class={`case-item${e.id === props.openId ? ' selected' : ''}${!e.firstResponseAt && Date.parse(e.dueAt) < props.now ? ' overdue' : ''}`}
                aria-current={e.id === props.openId ? 'true' : undefined}
                data-case={e.caseNumber}
                onClick={() => props.onOpen(e.id)}
              >
                <span class="row">
                  <span class="case-number">{e.caseNumber}</span>
                  <span class={`state state-${e.state}`}>{STATE_LABELS[lang][e.state]}</span>
                </span>
                <span class="question">{e.question}</span>
                <span class="row meta">
                  <span>{props.deptName(e.department)}</span>
                  <span>{CHANNEL_LABELS[lang][e.channel] ?? e.channel}</span>
                  <span>
                    {t.assignedTo}: {e.assignee?.displayName ?? t.unassigned}
                  </span>
                </span>
                <Deadline escalation={e} now={props.now} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
