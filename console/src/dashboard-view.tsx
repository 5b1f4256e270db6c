/** 统计 / Dashboard (supervisors and administrators): the figures of `/api/v1/demand/dashboard` as Chart.js charts. */
import type { ChartConfiguration } from 'chart.js';
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from './api.ts';
import { ChartCanvas, COLORS } from './chart.tsx';
import { useDemandStrings } from './demand-i18n.ts';
import { RATING_LABELS, useI18n } from './i18n.ts';

type Counts = { total: number; answered: number; escalated: number; unanswered: number; other: number };
interface BriefTopic {
  id: string;
  label: string;
  size: number;
  thisWeek: number;
  growth: number;
}
interface Dashboard {
  fromDay: string;
  toDay: string;
  totals: Counts & { answerRate: number; escalationRate: number };
  perDay: Array<{ day: string } & Counts>;
  perChannel: Array<{ channel: string } & Counts>;
  perDepartment: Array<{ department: string; answered: number; escalated: number; unanswered: number; answerRate: number; escalationRate: number }>;
  responseTimes: Array<{ department: string; cases: number; responded: number; withinTarget: number; breached: number; compliance: number | null; medianMinutes: number | null }>;
  ratings: Array<{ day: string; satisfied: number; basically_satisfied: number; dissatisfied: number }>;
  topTopics: BriefTopic[];
  risingTopics: BriefTopic[];
  /** Demand signals of the period: logged, counted once repeats are folded and floods left out. */
  demand: { signals: number; counted: number; repeats: number; floodMessages: number; floods: number };
}

const OUTCOMES = ['answered', 'escalated', 'unanswered', 'other'] as const;
const pct = (x: number): number => Math.round(x * 1000) / 10;

export function DashboardView(props: { deptName: (id: string) => string }) {
  const d = useDemandStrings();
  const { lang } = useI18n();
  // Empty until the first answer: the server's default period ends today in the service's time zone, which
  // need not be the browser's.
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const answer = await api.get<Dashboard>(`/api/v1/demand/dashboard${qs({ from, to })}`);
      setFrom(answer.fromDay);
      setTo(answer.toDay);
      setData(answer);
      setError(null);
    } catch (err) {
      setError(d.failed((err as Error).message));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const stackedBar = (labels: string[], datasets: Array<{ label: string; data: number[]; backgroundColor: string }>, horizontal = false): ChartConfiguration => ({
    type: 'bar',
    data: { labels, datasets },
    options: { indexAxis: horizontal ? 'y' : 'x', scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
  const outcomeSets = (rows: Counts[]) =>
    OUTCOMES.map((o) => ({ label: d.outcomes[o] ?? o, data: rows.map((r) => r[o]), backgroundColor: COLORS[o] }));

  return (
    <main class="dashboard" aria-labelledby="dashboard-title">
      <div class="page-head">
        <h2 id="dashboard-title">{d.dashboardTitle}</h2>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            void load();
          }}
        >
          <label>
            {d.from}
            <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </label>
          <label>
            {d.to}
            <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
          <button type="submit">{d.apply}</button>
        </form>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        <p class="placeholder">{d.loading}</p>
      ) : (
        <>
          <div class="figures">
            <div class="figure">
              <span class="muted">{d.total}</span>
              <strong>{data.totals.total}</strong>
            </div>
            <div class="figure">
              <span class="muted">{d.answerRate}</span>
              <strong>{pct(data.totals.answerRate)}%</strong>
            </div>
            <div class="figure">
              <span class="muted">{d.escalationRate}</span>
              <strong>{pct(data.totals.escalationRate)}%</strong>
            </div>
            {data.demand.floodMessages > 0 && (
              <div class="figure">
                <span class="muted">
                  <span class="badge badge-flood">{d.floodBadge}</span>
                </span>
                <strong>{data.demand.floodMessages}</strong>
                <span class="muted">{d.floodNote(data.demand.floodMessages, data.demand.floods)}</span>
              </div>
            )}
          </div>
          <div class="grid">
            <section class="panel" aria-labelledby="chart-per-day">
              <h3 id="chart-per-day">{d.perDay}</h3>
              <ChartCanvas label={d.chartOf(d.perDay)} config={stackedBar(data.perDay.map((r) => r.day.slice(5)), outcomeSets(data.perDay))} />
            </section>
            <section class="panel" aria-labelledby="chart-top">
              <h3 id="chart-top">{d.topTopics}</h3>
              <ChartCanvas
                label={d.chartOf(d.topTopics)}
                config={stackedBar(data.topTopics.map((t) => t.label), [{ label: d.size, data: data.topTopics.map((t) => t.size), backgroundColor: COLORS.brand }], true)}
              />
            </section>
            <section class="panel" aria-labelledby="chart-rising">
              <h3 id="chart-rising">{d.risingTopics}</h3>
              {data.risingTopics.length === 0 ? (
                <p class="muted">{d.noRising}</p>
              ) : (
                <ChartCanvas
                  label={d.chartOf(d.risingTopics)}
                  config={stackedBar(data.risingTopics.map((t) => t.label), [{ label: d.growth, data: data.risingTopics.map((t) => t.growth), backgroundColor: COLORS.escalated }], true)}
                />
              )}
            </section>
            <section class="panel" aria-labelledby="chart-departments">
              <h3 id="chart-departments">{d.perDepartment}</h3>
              <ChartCanvas
                label={d.chartOf(d.perDepartment)}
                config={{
                  type: 'bar',
                  data: {
                    labels: data.perDepartment.map((r) => props.deptName(r.department)),
                    datasets: [
                      { label: `${d.answerRate} (%)`, data: data.perDepartment.map((r) => pct(r.answerRate)), backgroundColor: COLORS.answered },
                      { label: `${d.escalationRate} (%)`, data: data.perDepartment.map((r) => pct(r.escalationRate)), backgroundColor: COLORS.escalated },
                    ],
                  },
                  options: { scales: { y: { beginAtZero: true, max: 100 } } },
                }}
              />
            </section>
            <section class="panel" aria-labelledby="chart-compliance">
              <h3 id="chart-compliance">{d.responseCompliance}</h3>
              <ChartCanvas
                label={d.chartOf(d.responseCompliance)}
                config={{
                  type: 'bar',
                  data: {
                    labels: data.responseTimes.map((r) => props.deptName(r.department)),
                    datasets: [{ label: `${d.compliance} (%)`, data: data.responseTimes.map((r) => (r.compliance === null ? 0 : pct(r.compliance))), backgroundColor: COLORS.brand }],
                  },
                  options: { scales: { y: { beginAtZero: true, max: 100 } } },
                }}
              />
              <table class="compact">
                <thead>
                  <tr>
                    <th scope="col">{d.department}</th>
                    <th scope="col">{d.cases}</th>
                    <th scope="col">{d.compliance}</th>
                    <th scope="col">{d.medianMinutes}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.responseTimes.map((r) => (
                    <tr key={r.department}>
                      <td>{props.deptName(r.department)}</td>
                      <td>{r.cases}</td>
                      <td>{r.compliance === null ? '—' : `${pct(r.compliance)}%`}</td>
                      <td>{r.medianMinutes ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section class="panel" aria-labelledby="chart-ratings">
              <h3 id="chart-ratings">{d.ratings}</h3>
              <ChartCanvas
                label={d.chartOf(d.ratings)}
                config={stackedBar(
                  data.ratings.map((r) => r.day.slice(5)),
                  [
                    { label: RATING_LABELS[lang].satisfied, data: data.ratings.map((r) => r.satisfied), backgroundColor: COLORS.answered },
                    { label: RATING_LABELS[lang].basically_satisfied, data: data.ratings.map((r) => r.basically_satisfied), backgroundColor: COLORS.escalated },
                    { label: RATING_LABELS[lang].dissatisfied, data: data.ratings.map((r) => r.dissatisfied), backgroundColor: COLORS.unanswered },
                  ],
                )}
              />
            </section>
            <section class="panel" aria-labelledby="chart-channels">
              <h3 id="chart-channels">{d.perChannel}</h3>
              <ChartCanvas label={d.chartOf(d.perChannel)} config={stackedBar(data.perChannel.map((r) => r.channel), outcomeSets(data.perChannel), true)} />
            </section>
          </div>
        </>
      )}
    </main>
  );
}
