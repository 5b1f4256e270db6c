/** Due dates counted in working days: the days `service-hours.yaml` opens (public holidays off, make-up days 调休 on). */
import type { ServiceHours } from './service-hours.ts';

const DAY_MS = 86_400_000;

/** Milliseconds east of UTC of the service hours' fixed offset ("+08:00"). */
function offsetMs(hours: ServiceHours): number {
  const [, sign, hh, mm] = /^([+-])(\d{2}):(\d{2})$/.exec(hours.config.utcOffset)!;
  return (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm)) * 60_000;
}

/** The start (epoch ms) of the local day containing `at`. */
function localDayStart(at: number, offset: number): number {
  return Math.floor((at + offset) / DAY_MS) * DAY_MS - offset;
}

/**
 * The end of the `days`-th working day after the day of `from` (local time): a draft made on a Friday with 5 days is
 * due at the end of the next Friday, later when a holiday falls in between. Calendar days when no opening is found.
 */
export function addBusinessDays(hours: ServiceHours, from: Date, days: number): Date {
  const offset = offsetMs(hours);
  let day = localDayStart(from.getTime(), offset);
  for (let i = 0; i < days; i++) {
    const next = hours.nextOpening(new Date(day + DAY_MS));
    if (!next) return new Date(localDayStart(from.getTime(), offset) + (days + 1) * DAY_MS - 1);
    day = localDayStart(next.getTime(), offset);
  }
  return new Date(day + DAY_MS - 1);
}
