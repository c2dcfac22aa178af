import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { removeOrphanFiles } from '../../src/modules/datastore/index.ts';
import { migrateToLatest, nowIso } from '../../src/platform/db/index.ts';
import { JobRunner } from '../../src/platform/jobs/index.ts';
import { DIALECTS, openTestStore, type TestStore } from '../helpers/db.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger;

/**
 * What a server finds at start, left by earlier processes: their jobs and uploads are cleaned up when their process is
 * gone (also when this process got the old one's pid back, as a restarted container does), never while another live
 * process still owns them.
 */
describe.each(DIALECTS)('start-up recovery (%s)', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(dialect);
    await migrateToLatest(t.store);
  });
  afterAll(async () => t?.cleanup());

  const runningJob = async (owner: string) => {
    const id = randomUUID();
    const at = nowIso();
    await t.store.db
      .insertInto('jobs')
      .values({
        id,
        kind: 'load',
        state: 'running',
        resource_id: null,
        created_by: null,
        payload: '{}',
        progress: '{}',
        result: null,
        error: null,
        created_at: at,
        started_at: at,
        finished_at: null,
        heartbeat_at: at,
        owner,
      })
      .execute();
    return id;
  };
  const stateOf = async (id: string) =>
    (await t.store.db.selectFrom('jobs').select(['state', 'error']).where('id', '=', id).executeTakeFirstOrThrow())
      .state;

  /** A live process of this machine, and the pid of one that has ended. */
  const processes = async () => {
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const ended = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => ended.once('exit', r));
    return { live, endedPid: ended.pid! };
  };

  it('fails the jobs of a gone process, including an old process that had this pid, and keeps a live one', async () => {
    const { live, endedPid } = await processes();
    try {
      const mine = await runningJob(`${process.pid}-0ld0ld00`);
      const gone = await runningJob(`${endedPid}-0ld0ld01`);
      const other = await runningJob(`${live.pid}-0ther000`);
      expect(await new JobRunner(t.store.db, quiet).recover()).toBe(2);
      expect([await stateOf(mine), await stateOf(gone), await stateOf(other)]).toEqual(['failed', 'failed', 'running']);
    } finally {
      live.kill();
    }
  });

  it('removes uploads nobody is receiving, and leaves those another live process is still receiving', async () => {
    const { live, endedPid } = await processes();
    try {
      const uploads = path.join(t.dataDir, 'uploads');
      const upload = (name: string, owner: number | null) => {
        fs.mkdirSync(path.join(uploads, name), { recursive: true });
        fs.writeFileSync(path.join(uploads, name, 'upload.bin'), 'a,b\n1,2\n');
        if (owner !== null) fs.writeFileSync(path.join(uploads, name, 'owner.pid'), String(owner));
      };
      upload('receiving', live.pid!);
      upload('old-pid-is-mine', process.pid);
      upload('ended', endedPid);
      upload('no-owner', null);
      const ctx = { config: { dataDir: t.dataDir }, store: t.store } as unknown as AppContext;
      await removeOrphanFiles(ctx);
      expect(fs.readdirSync(uploads)).toEqual(['receiving']);
    } finally {
      live.kill();
    }
  });
});
