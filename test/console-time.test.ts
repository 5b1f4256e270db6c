/** The console's queue shows the waiting time and the countdown to the response target in one format. */
import { describe, expect, it } from 'vitest';
import { duration } from '../console/src/time.ts';

describe('console durations', () => {
  it('are h:mm:ss for waiting times and countdowns alike, under an hour too', () => {
    expect(duration(42_000)).toBe('0:00:42');
    expect(duration(125_000)).toBe('0:02:05');
    expect(duration(3_725_000)).toBe('1:02:05');
    expect(duration((15 * 3600 + 58 * 60 + 12) * 1000)).toBe('15:58:12');
    expect(duration(30 * 3600 * 1000)).toBe('30:00:00');
    expect(duration(-5000)).toBe('0:00:00');
    // A waiting time of two minutes beside a countdown of two hours: both with hours, so they cannot be mixed up.
    expect([duration(2 * 60_000), duration(2 * 3600_000)]).toEqual(['0:02:00', '2:00:00']);
  });
});
