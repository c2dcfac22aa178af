import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.ts';
import { removeOrphanFiles } from '../../src/modules/datastore/index.ts';
import { migrateToLatest, nowIso } from '../../src/platform/db/index.ts';
import { JobRunner, THIS_PROCESS } from '../../src/platform/jobs/index.ts';
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

  const host = THIS_PROCESS.split('@')[1]!;
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const runningJob = async (owner: string, heartbeat = nowIso()) => {
    const id = randomUUID();
    const at = heartbeat;
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
      const mine = await runningJob(`${process.pid}@${host}-0ld0ld00`);
      const gone = await runningJob(`${endedPid}@${host}-0ld0ld01`);
      // A live process of this machine keeps its job, even one waiting long in its queue (no heartbeat for a while).
      const other = await runningJob(`${live.pid}@${host}-0ther000`, minutesAgo(10));
      // Owners written before owners named their machine.
      const oldForm = await runningJob(`${endedPid}-0ld0ld02`);
      // Another machine's processes cannot be asked: a fresh heartbeat keeps its job, a stopped one does not.
      const remoteLive = await runningJob(`${endedPid}@another_host-r3m0te00`);
      const remoteGone = await runningJob(`${live.pid}@another_host-r3m0te01`, minutesAgo(10));
      expect(await new JobRunner(t.store.db, quiet).recover()).toBe(4);
      expect(await Promise.all([mine, gone, other, oldForm, remoteLive, remoteGone].map((id) => stateOf(id)))).toEqual([
        'failed',
        'failed',
        'running',
        'failed',
        'running',
        'failed',
      ]);
    } finally {
      live.kill();
    }
  });

  it("keeps another machine's load queued behind a long one: its process beats for its queued and running jobs", async () => {
    // A process of another machine (the owner names it), beating every 50 ms instead of every 30 s.
    const remote = new JobRunner(t.store.db, quiet, { heartbeatMs: 50, owner: `${process.pid}@another_host-qu3u3d00` });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    remote.register('slow', { run: () => gate.then(() => ({})) });
    try {
      const long = await remote.enqueue({ kind: 'slow', payload: {} });
      const waiting = await remote.enqueue({ kind: 'slow', payload: {} });
      for (let i = 0; i < 100 && (await stateOf(long)) !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));
      // It has waited 10 minutes behind the long load, and never ran: no heartbeat of its own yet. The long load has
      // reported no progress for 10 minutes (a merge onto a big table).
      await t.store.db
        .updateTable('jobs')
        .set({ created_at: minutesAgo(10) })
        .where('id', '=', waiting)
        .execute();
      await t.store.db
        .updateTable('jobs')
        .set({ heartbeat_at: minutesAgo(10) })
        .where('id', '=', long)
        .execute();
      const heartbeatOf = async (id = waiting) =>
        (await t.store.db.selectFrom('jobs').select('heartbeat_at').where('id', '=', id).executeTakeFirstOrThrow())
          .heartbeat_at;
      const before = nowIso();
      for (let i = 0; i < 100 && ((await heartbeatOf()) ?? '') < before; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(Date.parse((await heartbeatOf()) ?? '')).toBeGreaterThanOrEqual(Date.parse(before));
      expect(Date.parse((await heartbeatOf(long)) ?? '')).toBeGreaterThanOrEqual(Date.parse(before));
      // A process starting on this machine can judge the other machine's jobs by their heartbeat only.
      await new JobRunner(t.store.db, quiet).recover();
      expect([await stateOf(long), await stateOf(waiting)]).toEqual(['running', 'queued']);
      release();
      expect((await remote.waitFor(waiting, 10_000)).state).toBe('succeeded');
    } finally {
      release();
      await remote.stop();
    }
  });

  it("keeps a job's outcome when one of its listeners throws (an SSE stream gone bad), for progress and end", async () => {
    const runner = new JobRunner(t.store.db, quiet, { heartbeatMs: 50 });
    runner.register('steps', {
      run: async ({ progress }) => {
        for (let i = 1; i <= 3; i++) {
          progress({ step: i });
          await new Promise((r) => setTimeout(r, 20));
        }
        return { steps: 3 };
      },
    });
    try {
      const id = await runner.enqueue({ kind: 'steps', payload: {} });
      runner.subscribe(id, () => {
        throw new Error('listener broke');
      });
      // A listener after the broken one still hears everything.
      const seen: string[] = [];
      runner.subscribe(id, (e) => seen.push(e.type));
      const done = await runner.waitFor(id, 10_000);
      expect(done).toMatchObject({ state: 'succeeded', result: { steps: 3 }, error: null });
      expect(seen).toContain('progress');
      expect(seen.at(-1)).toBe('end');
      expect((await runner.get(id))?.state).toBe('succeeded');
    } finally {
      await runner.stop();
    }
  });

  it('says a job failed because the disk is full in words, not as the system error', async () => {
    const runner = new JobRunner(t.store.db, quiet);
    // What a write to a full scratch disk throws (e.g. the transcoded copy of a GB18030 file).
    runner.register('full', {
      run: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
      },
    });
    // And what DuckDB throws when the Parquet file it writes does not fit.
    runner.register('duckFull', {
      run: async () => {
        throw new Error('IO Error: Could not write file "/data/tables/x.parquet": No space left on device');
      },
    });
    try {
      for (const kind of ['full', 'duckFull']) {
        const done = await runner.waitFor(await runner.enqueue({ kind, payload: {} }), 10_000);
        expect(done).toMatchObject({ state: 'failed', error: { code: 'disk_full' } });
        expect(done.error?.message).toMatch(/disk filled up .* nothing it was changing was changed/);
      }
    } finally {
      await runner.stop();
    }
  });

  it('records the success of a job another process took for interrupted while it ran (its work is committed)', async () => {
    const runner = new JobRunner(t.store.db, quiet, { heartbeatMs: 50 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    runner.register('gated', { run: () => gate.then(() => ({ done: true })) });
    try {
      const id = await runner.enqueue({ kind: 'gated', payload: {} });
      await expect.poll(async () => (await runner.get(id))?.state).toBe('running');
      // What another machine's recovery writes for a job whose heartbeat it judged too old.
      await t.store.db
        .updateTable('jobs')
        .set({ state: 'failed', error: JSON.stringify({ code: 'interrupted' }), finished_at: nowIso() })
        .where('id', '=', id)
        .execute();
      release();
      await expect.poll(async () => (await runner.get(id))?.state).toBe('succeeded');
      expect(await runner.get(id)).toMatchObject({ result: { done: true }, error: null });
    } finally {
      release();
      await runner.stop();
    }
  });

  it('removes uploads nobody is receiving, and leaves those another live process is still receiving', async () => {
    const { live, endedPid } = await processes();
    try {
      const uploads = path.join(t.dataDir, 'uploads');
      const upload = (name: string, owner: string | null, minutesQuiet = 0) => {
        fs.mkdirSync(path.join(uploads, name), { recursive: true });
        const file = path.join(uploads, name, 'upload.bin');
        fs.writeFileSync(file, 'a,b\n1,2\n');
        if (owner !== null) fs.writeFileSync(path.join(uploads, name, 'owner'), owner);
        const at = new Date(Date.now() - minutesQuiet * 60_000);
        fs.utimesSync(file, at, at);
      };
      upload('receiving', `${live.pid}@${host}`);
      upload('old-pid-is-mine', `${process.pid}@${host}`);
      upload('ended', `${endedPid}@${host}`);
      upload('no-owner', null);
      // Another machine's: kept while its file is recent, taken for abandoned after 10 quiet minutes.
      upload('remote-growing', `${endedPid}@another_host`);
      upload('remote-quiet', `${live.pid}@another_host`, 20);
      const ctx = { config: { dataDir: t.dataDir }, store: t.store } as unknown as AppContext;
      await removeOrphanFiles(ctx);
      expect(fs.readdirSync(uploads).sort()).toEqual(['receiving', 'remote-growing']);
    } finally {
      live.kill();
    }
  });
});
