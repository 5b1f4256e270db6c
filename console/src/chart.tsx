/** Chart.js in Preact: a canvas that (re)draws when its data changes. Only the parts the console uses are registered. */
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, DoughnutController, ArcElement, CategoryScale, LinearScale, Legend, Tooltip);

/** The console's palette: answered green, escalated amber, unanswered red, other grey; then neutral series colours. */
export const COLORS = {
  answered: '#2e7d32',
  escalated: '#e0a100',
  unanswered: '#c62828',
  other: '#9e9e9e',
  brand: '#1f5fa8',
  series: ['#1f5fa8', '#2e7d32', '#e0a100', '#c62828', '#6a1b9a', '#00838f', '#8d6e63', '#5c6bc0'],
};

/** A chart; `label` describes it for screen readers (the canvas is an image to them). */
export function ChartCanvas(props: { config: ChartConfiguration; label: string; class?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const key = JSON.stringify(props.config.data);
  useEffect(() => {
    if (!ref.current) return undefined;
    const chart = new Chart(ref.current, {
      ...props.config,
      options: { responsive: true, maintainAspectRatio: false, animation: false, datasets: { bar: { maxBarThickness: 32 } }, ...props.config.options },
    });
    return () => chart.destroy();
  }, [key]);
  return (
    <div class={props.class ?? 'chart'}>
      <canvas ref={ref} role="img" aria-label={props.label} />
    </div>
  );
}

/** A small line of weekly counts, without axes. */
export function Sparkline(props: { values: number[]; label: string }) {
  return (
    <ChartCanvas
      class="spark"
      label={props.label}
      config={{
        type: 'line',
        data: { labels: props.values.map((_, i) => String(i)), datasets: [{ data: props.values, borderColor: COLORS.brand, borderWidth: 1.5, pointRadius: 0, tension: 0.3 }] },
        options: {
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
          scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
          events: [],
        },
      }}
    />
  );
}
