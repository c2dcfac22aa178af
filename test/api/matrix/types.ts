import type { Caller, TestServer, seedOrg } from '../../helpers/server.ts';

/**
 * Every endpoint × every role: allowed callers get through (no 401/403/404), denied ones are stopped.
 * A route added to the server without a row here fails the test, so new endpoints must join the matrix.
 */
export type RoleName =
  | 'anonymous'
  | 'public'
  | 'member'
  | 'other_member'
  | 'steward'
  | 'other_steward'
  | 'dept_admin'
  | 'reviewer'
  | 'platform_admin';
export const ALL: RoleName[] = [
  'anonymous',
  'public',
  'member',
  'other_member',
  'steward',
  'other_steward',
  'dept_admin',
  'reviewer',
  'platform_admin',
];
export const USERS: RoleName[] = ALL.filter((r) => r !== 'anonymous');

export interface Case {
  /** Statuses that count as a denial besides 401/403/404 (e.g. SQL's 400 unknown table for a hidden table). */
  deniedStatuses?: number[];
  method: string;
  url: string; // route pattern, as registered
  allowed: RoleName[];
  /** Builds the concrete request; may create fresh objects first (as admin). */
  make: (
    ctx: Fixture,
    role: RoleName,
  ) => Promise<{ url: string; payload?: unknown; caller?: Caller; headers?: Record<string, string> }>;
}
export interface Fixture {
  s: TestServer;
  org: Awaited<ReturnType<typeof seedOrg>>;
  admin: Caller;
  callers: Record<RoleName, Caller>;
  resourceIn: (status: 'draft' | 'pending_review' | 'published') => Promise<string>;
  /** A published, neither shared nor open resource of the environment bureau, with one loaded version. */
  data: { resourceId: string; jobId: string; versionId: string };
}
export const CSV = '站点,AQI\n甲站,50\n乙站,60\n';
export const DATA_READERS: RoleName[] = ['member', 'steward', 'dept_admin', 'reviewer', 'platform_admin'];
export const DATA_STEWARDS: RoleName[] = ['steward', 'dept_admin', 'platform_admin'];

export const USERNAMES: Record<RoleName, string> = {
  anonymous: '',
  public: 'citizen',
  member: 'env_member',
  other_member: 'trans_member',
  steward: 'env_steward',
  other_steward: 'trans_steward',
  dept_admin: 'env_admin',
  reviewer: 'reviewer',
  platform_admin: 'admin',
};
