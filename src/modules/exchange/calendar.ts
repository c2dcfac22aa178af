/**
 * Working-day arithmetic for the SLAs of STANDARDS.md §6. Days are counted in the city's local calendar
 * (China Standard Time, UTC+8, no daylight saving), skipping Saturdays, Sundays and the configured public holidays;
 * a weekend day marked as a working day (调休) counts. Written by hand: no calendar library knows the
 * city's own holiday table, and the rule is a dozen lines.
 */
export const CITY_UTC_OFFSET_HOURS = 8;

export interface CalendarDay {
  date: string; // YYYY-MM-DD
  workday: boolean; // true = a weekend day worked (调休); false = a holiday
}

export type WorkCalendar = Map<string, boolean>;

export function workCalendar(days: readonly CalendarDay[]): WorkCalendar {
  return new Map(days.map((d) => [d.date, d.workday]));
}

/** The local (UTC+8) calendar date of an instant. */
export function localDate(t: Date): string {
  return new Date(t.getTime() + CITY_UTC_OFFSET_HOURS * 3_600_000).toISOString().slice(0, 10);
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function isWorkingDay(date: string, cal: WorkCalendar): boolean {
  const marked = cal.get(date);
  if (marked !== undefined) return marked;
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/**
 * The deadline `n` working days after `start`: the end (local midnight) of the n-th working day that follows the
 * start's own day, as an ISO instant. An application filed on Friday with a 2-day SLA is due at the end of Tuesday.
 */
export function addWorkingDays(start: Date, n: number, cal: WorkCalendar): string {
  let date = localDate(start);
  let left = n;
  while (left > 0) {
    date = nextDate(date);
    if (isWorkingDay(date, cal)) left--;
  }
  return localMidnightAfter(date);
}

/** The instant the local day `date` ends (the next local midnight), as UTC ISO. */
export function localMidnightAfter(date: string): string {
  const end = new Date(`${nextDate(date)}T00:00:00Z`);
  return new Date(end.getTime() - CITY_UTC_OFFSET_HOURS * 3_600_000).toISOString();
}

/** The instant the local day `date` starts, as UTC ISO. */
export function localMidnightOf(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - CITY_UTC_OFFSET_HOURS * 3_600_000).toISOString();
}
