import type { AppContext } from '../../context.ts';
import { seedDataElements } from './elements.ts';
import { notifyOverdue } from './overdue.ts';

const DAY_MS = 86_400_000;
/** First check a minute after start (not during start-up), then daily. */
const FIRST_CHECK_MS = 60_000;

const timers = new WeakMap<AppContext, NodeJS.Timeout>();

/**
 * Start-up: seeds the default data elements (idempotent) and schedules the daily overdue check in-process. The
 * check is idempotent per dataset and due date, so several server processes or a restart send no duplicates.
 */
export async function startGovernance(ctx: AppContext): Promise<void> {
  await seedDataElements(ctx.store.db);
  const check = () => {
    notifyOverdue(ctx.store.db)
      .then((r) => ctx.log.info(r, 'overdue datasets checked'))
      .catch((err: unknown) => ctx.log.error({ err }, 'overdue check failed'));
  };
  const first = setTimeout(() => {
    check();
    const daily = setInterval(check, DAY_MS);
    daily.unref();
    timers.set(ctx, daily);
  }, FIRST_CHECK_MS);
  first.unref();
  timers.set(ctx, first);
}

export function stopGovernanceTimer(ctx: AppContext): void {
  const t = timers.get(ctx);
  if (t) {
    clearTimeout(t);
    clearInterval(t);
  }
  timers.delete(ctx);
}
