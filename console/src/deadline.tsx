/** Waiting time and the countdown to the first-response target (red once breached). */
import { useI18n } from './i18n.ts';
import { duration } from './time.ts';
import type { Case } from './types.ts';

export function Deadline(props: { escalation: Case; now: number }) {
  const { t } = useI18n();
  const e = props.escalation;
  const waited = props.now - Date.parse(e.createdAt);
  const left = Date.parse(e.dueAt) - props.now;
  return (
    <span class="deadline">
      <span class="waited">
        {t.waiting} {duration(waited)}
      </span>
      {e.firstResponseAt ? (
        <span class="sla done">{t.responded}</span>
      ) : left >= 0 ? (
        <span class="sla">
          {t.remaining} {duration(left)}
        </span>
      ) : (
        <span class="sla breached">
          {t.breached} {duration(-left)}
        </span>
      )}
    </span>
  );
}
