/** Supervisors: the 好差评 ratings, and the follow-ups a 不满意 rating opened. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { RATING_LABELS, useI18n } from './i18n.ts';
import { localDateTime } from './time.ts';
import type { Case, Rating } from './types.ts';

export function RatingsView(props: { deptName: (id: string) => string }) {
  const { lang, t } = useI18n();
  const [data, setData] = useState<{ counts: Record<Rating, number>; cases: Case[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      setData(await api.get('/api/v1/ratings'));
      setError(null);
    } catch (err) {
      setError(t.failed((err as Error).message));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const closeFollowUp = async (id: number) => {
    try {
      await api.post(`/api/v1/escalations/${id}/follow-up/close`);
      await load();
    } catch (err) {
      setError(t.failed((err as Error).message));
    }
  };

  const ratings: Rating[] = ['satisfied', 'basically_satisfied', 'dissatisfied'];
  return (
    <main class="page" aria-labelledby="ratings-title">
      <div class="page-head">
        <h2 id="ratings-title">{t.ratingsTitle}</h2>
        <button type="button" onClick={load}>
          {t.refresh}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <ul class="counts">
            {ratings.map((r) => (
              <li key={r} class={`count-${r}`}>
                <span class="label">{RATING_LABELS[lang][r]}</span>
                <span class="value">{data.counts[r]}</span>
              </li>
            ))}
          </ul>
          {data.cases.length === 0 ? (
            <p class="placeholder">{t.noRatings}</p>
          ) : (
            <table class="grid">
              <thead>
                <tr>
                  <th scope="col">{t.caseLabel}</th>
                  <th scope="col">{t.department}</th>
                  <th scope="col">{t.assignedTo}</th>
                  <th scope="col">{t.rating}</th>
                  <th scope="col">{t.comment}</th>
                  <th scope="col">{t.resolvedAt}</th>
                  <th scope="col">{t.followUp}</th>
                </tr>
              </thead>
              <tbody>
                {data.cases.map((e) => (
                  <tr key={e.id} data-case={e.caseNumber}>
                    <td>{e.caseNumber}</td>
                    <td>{props.deptName(e.department)}</td>
                    <td>{e.assignee?.displayName ?? '—'}</td>
                    <td class={`rating rating-${e.rating ?? ''}`}>{e.rating ? RATING_LABELS[lang][e.rating] : '—'}</td>
                    <td>{e.ratingComment ?? ''}</td>
                    <td>{e.resolvedAt ? localDateTime(e.resolvedAt, lang) : ''}</td>
                    <td>
                      {e.followUpOpen ? (
                        <>
                          <span class="breached">{t.followUpOpen}</span>{' '}
                          <button type="button" onClick={() => closeFollowUp(e.id)} aria-label={`${t.closeFollowUp} ${e.caseNumber}`}>
                            {t.closeFollowUp}
                          </button>
                        </>
                      ) : e.rating === 'dissatisfied' ? (
                        t.followUpClosed
                      ) : (
                        ''
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </main>
  );
}
