import type { Migration } from 'kysely';
import * as m0001 from './0001_core.ts';
import * as m0002 from './0002_datastore.ts';
import * as m0003 from './0003_exchange.ts';
import * as m0004 from './0004_governance.ts';
import * as m0005 from './0005_exchange_log_append_only.ts';

/**
 * Every migration, in order. Listed statically (not read from the folder) so the same list works under tsx,
 * vitest and any bundler. Migrations are frozen once landed: add a new file, never edit an old one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_datastore': m0002,
  '0003_exchange': m0003,
  '0004_governance': m0004,
  '0005_exchange_log_append_only': m0005,
};
