/**
 * Business hours, public holidays and make-up working days (调休), and business-time arithmetic for
 * response targets. Times are wall-clock in one fixed UTC offset (China has no daylight saving).
 */
import { z } from 'zod';

const period = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must look like "09:00-12:00"');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-10-01');

export const serviceHoursSchema = z
  .object({
    utcOffset: z.string().regex(/^[+-]\d{2}:\d{2}$/, 'must look like "+08:00"').default('+08:00'),
    /** First-response target in business minutes (GB/T 33358 sets 3 minutes for SMS and similar text media). */
    firstResponseMinutes: z.number().int().min(1).default(3),
    /** A case nobody answered within this many business minutes expires: the citizen is told, staff can still take it. */
    expireAfterMinutes: z.number().int().min(1).default(60),
    /** Opening periods per weekday; a weekday left out is closed. */
    weekly: z
      .object({ mon: z.array(period), tue: z.array(period), wed: z.array(period), thu: z.array(period), fri: z.array(period), sat: z.array(period), sun: z.array(period) })
      .partial()
      .default({
        mon: ['09:00-12:00', '13:30-17:30'],
        tue: ['09:00-12:00', '13:30-17:30'],
        wed: ['09:00-12:00', '13:30-17:30'],
        thu: ['09:00-12:00', '13:30-17:30'],
        fri: ['09:00-12:00', '13:30-17:30'],
      }),
    /** Closed days (public holidays). */
    holidays: z.array(day).default([]),
    /** Weekend days worked to make up for a holiday (调休): open with Monday's hours. */
    workdays: z.array(day).default([]),
    /** Per-department overrides of the first-response target. */
    departments: z.record(z.string(), z.object({ firstResponseMinutes: z.number().int().min(1) })).default({}),
  })
  .strict();

export type ServiceHoursConfig = z.infer<typeof serviceHoursSchema>;

const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export class ServiceHours {
  private readonly offsetMs: number;

  constructor(readonly config: ServiceHoursConfig) {
    const [, sign, hh, mm] = /^([+-])(\d{2}):(\d{2})$/.exec(config.utcOffset)!;
    this.offsetMs = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm)) * MINUTE;
  }

  static fromConfig(raw: unknown): ServiceHours {
    return new ServiceHours(serviceHoursSchema.parse(raw ?? {}));
  }

  /** First-response target of a department, in business minutes. */
  targetMinutes(department: string): number {
    return this.config.departments[department]?.firstResponseMinutes ?? this.config.firstResponseMinutes;
  }

  isOpen(at: Date): boolean {
    return this.periodsOfDay(at).some(([start, end]) => at.getTime() >= start && at.getTime() < end);
  }

  /** The instant `minutes` of business time after `from` (counting only opening hours). */
  addBusinessMinutes(from: Date, minutes: number): Date {
    let remaining = minutes * MINUTE;
    let cursor = from.getTime();
    for (let guard = 0; guard < 400; guard++) {
      for (const [start, end] of this.periodsOfDay(new Date(cursor))) {
        if (end <= cursor) continue;
        const begin = Math.max(start, cursor);
        if (begin + remaining <= end) return new Date(begin + remaining);
        remaining -= end - begin;
        cursor = end;
      }
      cursor = this.startOfNextDay(cursor);
    }
    return new Date(from.getTime() + minutes * MINUTE);
  }

  /** When staff are next at work: `at` itself when open, else the next opening time (null if none within a year). */
  nextOpening(at: Date): Date | null {
    if (this.isOpen(at)) return at;
    let cursor = at.getTime();
    for (let guard = 0; guard < 400; guard++) {
      for (const [start] of this.periodsOfDay(new Date(cursor))) if (start >= cursor) return new Date(start);
      cursor = this.startOfNextDay(cursor);
    }
    return null;
  }

  /** Local wall-clock text of an instant, e.g. "2026-11-27 09:00". */
  formatLocal(at: Date): string {
    return new Date(at.getTime() + this.offsetMs).toISOString().slice(0, 16).replace('T', ' ');
  }

  /** Opening periods [start, end) in epoch ms of the local day containing `at`. */
  private periodsOfDay(at: Date): Array<[number, number]> {
    const local = new Date(at.getTime() + this.offsetMs);
    const date = local.toISOString().slice(0, 10);
    const midnight = Date.parse(`${date}T00:00:00Z`) - this.offsetMs;
    if (this.config.holidays.includes(date)) return [];
    const key = this.config.workdays.includes(date) ? 'mon' : DAY_KEYS[local.getUTCDay()]!;
    return (this.config.weekly[key] ?? []).map((p) => {
      const [from, to] = p.split('-') as [string, string];
      return [midnight + toMinutes(from) * MINUTE, midnight + toMinutes(to) * MINUTE];
    });
  }

  private startOfNextDay(cursor: number): number {
    const local = cursor + this.offsetMs;
    return Math.floor(local / DAY) * DAY + DAY - this.offsetMs;
  }
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
