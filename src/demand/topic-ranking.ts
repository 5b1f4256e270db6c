/** Growth and ranking: this week's messages against the average of the previous weeks, so a sudden new need rises. */

const WEEK = 7 * 24 * 3600 * 1000;

/** Weekly counts of one topic. */
export interface Growth {
  thisWeek: number;
  previousWeeklyAverage: number;
  /** (this week + 1) / (previous weekly average + 1): 1 for a steady topic, high for a new one. */
  growth: number;
}

/**
 * This week (the 7 days up to `now`) against the average of the previous 4 weeks, counting only weeks the data covers
 * (from `dataStart`), with add-one smoothing. With `askers` (one per time), a week counts each asker once.
 */
export function weeklyGrowth(times: ReadonlyArray<Date | undefined>, now: Date, dataStart: Date | null, askers?: ReadonlyArray<string | undefined>): Growth {
  const end = now.getTime();
  const weekStart = end - WEEK;
  const covered = dataStart ? Math.min(4, Math.max(0, Math.ceil((weekStart - dataStart.getTime()) / WEEK))) : 0;
  let thisWeek = 0;
  let before = 0;
  const seen = new Set<string>();
  times.forEach((t, i) => {
    if (!t) return;
    const ms = t.getTime();
    const week = ms > weekStart && ms <= end ? 0 : ms <= weekStart && ms > weekStart - covered * WEEK ? 1 + Math.floor((weekStart - ms) / WEEK) : -1;
    if (week < 0) return;
    const asker = askers?.[i];
    if (asker !== undefined) {
      const key = `${week}\u0000${asker}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    if (week === 0) thisWeek++;
    else before++;
  });
  const previousWeeklyAverage = covered > 0 ? before / covered : 0;
  return { thisWeek, previousWeeklyAverage, growth: (thisWeek + 1) / (previousWeeklyAverage + 1) };
}

/** How topics are ordered: `trend` (this week × growth, then size), `size`, or `growth`. */
export type RankBy = 'trend' | 'size' | 'growth';

interface Rankable {
  size: number;
  thisWeek: number;
  growth: number;
  members: readonly number[];
}

/** Topics in rank order (a new copy); ties go to the larger, then the earlier topic. */
export function rankTopics<T extends Rankable>(topics: readonly T[], by: RankBy = 'trend'): T[] {
  const key = (t: T): number => (by === 'size' ? t.size : by === 'growth' ? t.growth : t.thisWeek * t.growth);
  return [...topics].sort((a, b) => key(b) - key(a) || b.size - a.size || (a.members[0] ?? 0) - (b.members[0] ?? 0));
}
