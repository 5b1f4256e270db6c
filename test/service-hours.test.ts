import { describe, expect, it } from 'vitest';
import { ServiceHours, serviceHoursSchema } from '../src/handoff/service-hours.ts';

// 2026-11-26 is a Thursday. Times below are Beijing time (+08:00).
const hours = new ServiceHours(
  serviceHoursSchema.parse({
    holidays: ['2026-11-30'],
    workdays: ['2026-11-29'],
    departments: { 'real-estate': { firstResponseMinutes: 10 } },
  }),
);
const at = (local: string): Date => new Date(`${local}+08:00`);

describe('service hours', () => {
  it('counts the response target inside opening hours', () => {
    expect(hours.isOpen(at('2026-11-26T10:00:00'))).toBe(true);
    expect(hours.addBusinessMinutes(at('2026-11-26T10:00:00'), 3)).toEqual(at('2026-11-26T10:03:00'));
  });

  it('stops the clock over lunch and overnight', () => {
    expect(hours.addBusinessMinutes(at('2026-11-26T11:58:00'), 3)).toEqual(at('2026-11-26T13:31:00'));
    expect(hours.addBusinessMinutes(at('2026-11-26T17:29:00'), 3)).toEqual(at('2026-11-27T09:02:00'));
  });

  it('skips weekends and holidays, and opens on make-up working days (调休)', () => {
    // Friday evening -> Saturday closed -> Sunday 29th is a make-up working day.
    expect(hours.nextOpening(at('2026-11-27T18:00:00'))).toEqual(at('2026-11-29T09:00:00'));
    // Sunday evening -> Monday 30th is a holiday -> Tuesday.
    expect(hours.nextOpening(at('2026-11-29T18:00:00'))).toEqual(at('2026-12-01T09:00:00'));
    expect(hours.isOpen(at('2026-11-30T10:00:00'))).toBe(false);
  });

  it('tells the citizen the local time staff are back', () => {
    expect(hours.formatLocal(hours.nextOpening(at('2026-11-26T22:00:00'))!)).toBe('2026-11-27 09:00');
  });

  it('uses a department target where one is set, the default elsewhere', () => {
    expect(hours.targetMinutes('real-estate')).toBe(10);
    expect(hours.targetMinutes('taxation')).toBe(3);
  });

  it('rejects a badly written period', () => {
    expect(() => serviceHoursSchema.parse({ weekly: { mon: ['9-12'] } })).toThrow(/09:00-12:00/);
  });
});
