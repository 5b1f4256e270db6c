/** Times as staff read them: local clock times, waiting times and countdowns to the response target. */
import type { Lang } from './types.ts';

const locale = (lang: Lang): string => (lang === 'zh' ? 'zh-CN' : 'en-GB');

/** A local date and time, e.g. 2026/11/26 14:05. */
export function localDateTime(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(locale(lang), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** A local time of day, e.g. 14:05:09. */
export function localTime(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleTimeString(locale(lang), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * A duration as h:mm:ss, always (0:02:05, 15:58:12, 30:00:00): the waiting time and the countdown sit side by
 * side in the queue, and one format keeps "2:05" from being read as two hours.
 */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${h}:${pad(m)}:${pad(s)}`;
}
