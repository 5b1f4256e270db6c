/** Administrators: the audit log of staff actions, newest first. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { AUDIT_LABELS, useI18n } from './i18n.ts';
import { localDateTime } from './time.ts';
import type { AuditEntry, Staff } from './types.ts';

export function AuditView() {
  const { lang, t } = useI18n();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [names, setNames] = useState<Map<number, string>>(new Map());
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const [audit, staff] = await Promise.all([api.get<{ entries: AuditEntry[] }>('/api/v1/audit'), api.get<{ staff: Staff[] }>('/api/v1/staff')]);
      setEntries(audit.entries);
      setNames(new Map(staff.staff.map((s) => [s.id, `${s.displayName} (${s.name})`])));
      setError(null);
    } catch (err) {
      setError(t.failed((err as Error).message));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  return (
    <main class="page" aria-labelledby="audit-title">
      <div class="page-head">
        <h2 id="audit-title">{t.auditTitle}</h2>
        <button type="button" onClick={load}>
          {t.refresh}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">{t.time}</th>
            <th scope="col">{t.who}</th>
            <th scope="col">{t.action}</th>
            <th scope="col">{t.target}</th>
            <th scope="col">{t.detail}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((a) => (
            <tr key={a.id}>
              <td>{localDateTime(a.createdAt, lang)}</td>
              <td>{a.staffId === null ? '—' : (names.get(a.staffId) ?? `#${a.staffId}`)}</td>
              <td>{AUDIT_LABELS[lang][a.action] ?? a.action}</td>
              <td>{a.target}</td>
              <td>{a.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
