/** Exchange: sharing and open-data applications, grants (plugged into the read seam), deliveries, exchange log. */
export { exchangeRoutes } from './routes.ts';
export { dailyFigures } from './log.ts';
export { runEscalation, expireEnded, runSweepsNow } from './admin.ts';
export { runDelivery, runDueDeliveries, deliveryFolder } from './deliveries.ts';
export { addWorkingDays, workCalendar, type CalendarDay } from './calendar.ts';
export { compileRowFilter, validateRowFilter, type RowFilter } from './row-filter.ts';
export type { ShareApplication, ApplicationState } from './applications.ts';
export type { Grant } from './grants.ts';
