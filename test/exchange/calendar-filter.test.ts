import { describe, expect, it } from 'vitest';
import { addWorkingDays, compileRowFilter, validateRowFilter, workCalendar } from '../../src/modules/exchange/index.ts';

describe('working-day deadlines (UTC+8 calendar)', () => {
  const cal = workCalendar([
    { date: '2026-10-01', workday: false },
    { date: '2026-10-02', workday: false },
    { date: '2026-10-10', workday: true }, // a Saturday worked (调休)
  ]);
  it('skips weekends and holidays, counting from the next local day', () => {
    // Wednesday 30 Sep, 10:00 Beijing time: Thu 1 and Fri 2 are holidays, so 2 working days end on Tue 6 Oct.
    expect(addWorkingDays(new Date('2026-09-30T02:00:00Z'), 2, cal)).toBe('2026-10-06T16:00:00.000Z');
    // Friday 23:30 Beijing time is still Friday locally (15:30 UTC): Mon + Tue.
    expect(addWorkingDays(new Date('2026-09-25T15:30:00Z'), 2, cal)).toBe('2026-09-29T16:00:00.000Z');
    // 16:30 UTC on Friday is already Saturday in Beijing: still Mon + Tue.
    expect(addWorkingDays(new Date('2026-09-25T16:30:00Z'), 2, cal)).toBe('2026-09-29T16:00:00.000Z');
  });
  it('counts a weekend day marked as a working day', () => {
    // Friday 9 Oct + 1 working day = Saturday 10 Oct (调休).
    expect(addWorkingDays(new Date('2026-10-09T02:00:00Z'), 1, cal)).toBe('2026-10-10T16:00:00.000Z');
  });
});

describe('grant row filters', () => {
  const cols = [
    { name: '区域', type: 'text' as const },
    { name: 'AQI', type: 'integer' as const },
    { name: '日期', type: 'date' as const },
  ];
  it('compiles to quoted literals over the raw columns', () => {
    const f = validateRowFilter(
      {
        and: [
          { field: '区域', op: 'in', value: ["北区'; DROP TABLE x; --", '南区'] },
          { field: 'AQI', op: 'gte', value: 50 },
        ],
      },
      ['区域', 'AQI', '日期'],
    );
    expect(compileRowFilter(f, cols)).toBe(`(("区域" IN ('北区''; DROP TABLE x; --', '南区')) AND ("AQI" >= 50))`);
    expect(
      compileRowFilter(
        validateRowFilter({ field: '日期', op: 'between', value: ['2026-01-01', '2026-06-30'] }, ['日期']),
        cols,
      ),
    ).toBe(`("日期" BETWEEN DATE '2026-01-01' AND DATE '2026-06-30')`);
  });
  it('fails closed when a value does not fit its column or the column is gone', () => {
    expect(compileRowFilter({ field: 'AQI', op: 'eq', value: '1 OR 1=1' }, cols)).toBe('(FALSE)');
    expect(compileRowFilter({ field: '日期', op: 'gt', value: "2026' OR '1" }, cols)).toBe('(FALSE)');
    expect(compileRowFilter({ field: '已删除', op: 'eq', value: 'x' }, cols)).toBe('(FALSE)');
  });
  it('rejects unknown fields and operators when the filter is filed', () => {
    expect(() => validateRowFilter({ field: '无此字段', op: 'eq', value: 1 }, ['AQI'])).toThrow(/not a field/);
    expect(() => validateRowFilter({ field: 'AQI', op: 'raw_sql', value: '1=1' }, ['AQI'])).toThrow(/op must be/);
    expect(() => validateRowFilter({ and: [] }, ['AQI'])).toThrow(/non-empty/);
  });
});
