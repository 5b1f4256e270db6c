import { describe, expect, it } from 'vitest';
import { groupTopics } from '../../src/demand/group-topics.ts';
import { rankTopics, weeklyGrowth } from '../../src/demand/topic-ranking.ts';
import { featurizer, HOUSING_FUND, STREET_LIGHTS } from './fixtures.ts';

const DAY = 86_400_000;
const now = new Date(Date.UTC(2025, 5, 30));
const daysAgo = (d: number): Date => new Date(now.getTime() - d * DAY);

describe('weeklyGrowth', () => {
  it('compares this week with the average of the previous four weeks, smoothed', () => {
    const steady = Array.from({ length: 50 }, (_, i) => daysAgo((i % 5) * 7 + 1));
    expect(weeklyGrowth(steady, now, daysAgo(60))).toEqual({ thisWeek: 10, previousWeeklyAverage: 10, growth: 1 });
    const fresh = Array.from({ length: 10 }, () => daysAgo(2));
    expect(weeklyGrowth(fresh, now, daysAgo(60))).toEqual({ thisWeek: 10, previousWeeklyAverage: 0, growth: 11 });
  });

  it('averages over the weeks the data covers only', () => {
    const times = [daysAgo(1), daysAgo(9), daysAgo(10)];
    expect(weeklyGrowth(times, now, daysAgo(10)).previousWeeklyAverage).toBe(2);
    expect(weeklyGrowth([undefined, daysAgo(1)], now, null)).toEqual({ thisWeek: 1, previousWeeklyAverage: 0, growth: 2 });
  });
});

describe('ranking', () => {
  it('puts a sudden new need above a steady one of the same weekly size, and the bigger first by size', () => {
    const steady = { id: 'steady', size: 50, thisWeek: 10, growth: 1, members: [0] };
    const fresh = { id: 'fresh', size: 10, thisWeek: 10, growth: 11, members: [1] };
    expect(rankTopics([steady, fresh]).map((t) => t.id)).toEqual(['fresh', 'steady']);
    expect(rankTopics([fresh, steady], 'size').map((t) => t.id)).toEqual(['steady', 'fresh']);
  });

  it('ranks grouped topics by trend when the messages have times', () => {
    const messages = [
      ...Array.from({ length: 25 }, (_, i) => ({ text: HOUSING_FUND[i % HOUSING_FUND.length]!, time: daysAgo((i % 5) * 7 + 1) })),
      ...Array.from({ length: 8 }, (_, i) => ({ text: STREET_LIGHTS[i % STREET_LIGHTS.length]!, time: daysAgo(1 + (i % 3)) })),
    ];
    const { topics } = groupTopics(messages, { featurizer, now });
    expect(topics.map((t) => t.label.includes('路灯'))).toEqual([true, false]);
    expect(topics[0]!.thisWeek).toBe(8);
    expect(topics[1]!).toMatchObject({ size: 25, thisWeek: 5, previousWeeklyAverage: 5, growth: 1 });
    const bySize = groupTopics(messages, { featurizer, now, rankBy: 'size' }).topics;
    expect(bySize[0]!.size).toBe(25);
  });
});
