import { EventEmitter } from 'node:events';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/index.ts';
import { nowIso } from '../db/index.ts';
import type { JobTable } from '../db/schema.ts';
import { AppError } from '../http/errors.ts';

/**
 * Durable jobs: a row per job in the metadata store (state, progress, result), run by an in-process worker one at
 * a time (the data engine already uses every core). Named handlers with typed payloads; progress is written at most
 * twice a second and pushed to listeners (SSE). After a crash, jobs left queued or running are failed cleanly at
 * the next start and their handler's cleanup removes what they left behind.
 */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobContext<P> {
  id: string;
  payload: P;
  signal: AbortSignal;
  progress(p: Record<string, unknown>): void;
}

export interface JobHandler<P = unknown, R = unknown> {
  run(ctx: JobContext<P>): Promise<R>;
  /** Removes temporary files of a job that did not finish (failed, cancelled or interrupted). */
  cleanup?(id: string, payload: P): Promise<void>;
}

export interface JobView {
  id: string;
  kind: string;
  state: JobState;
  resourceId: string | null;
  createdBy: string | null;
  progress: Record<string, unknown>;
  result: unknown;
  error: { code: string; message: string; [k: string]: unknown } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * A job's error without its lists of details (a load that failed because every row was rejected keeps those rows for
 * its report): a job, an event or a list of jobs says why it failed; the report says what was rejected.
 */
export function withoutDetailLists(error: JobView['error']): JobView['error'] {
  if (!error) return error;
  return Object.fromEntries(Object.entries(error).filter(([, v]) => !Array.isArray(v))) as JobView['error'];
}

export function presentJob(j: JobTable): JobView {
  return {
    id: j.id,
    kind: j.kind,
    state: j.state as JobState,
    resourceId: j.resource_id,
    createdBy: j.created_by,
    progress: JSON.parse(j.progress) as Record<string, unknown>,
    result: j.result ? (JSON.parse(j.result) as unknown) : null,
    error: j.error ? (JSON.parse(j.error) as JobView['error']) : null,
    createdAt: j.created_at,
    startedAt: j.started_at,
    finishedAt: j.finished_at,
  };
}

/**
 * Whether another process with this pid runs on this machine. The calling process's own pid counts as gone: a server
 * restarted after a crash (in a container, typically pid 1 every time) gets its old pid back, and what the old
 * process left (jobs, uploads) must not pass for live.
 */
export function otherProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** This machine's name as job owners carry it ('-' separates the owner's parts). */
const HOST = os.hostname().replaceAll('-', '_');

/**
 * Whether a job's owner process still runs: true or false for a process of this machine, null for one of another
 * machine sharing the store (only its heartbeat can tell). Owners are `pid@host-random`; older rows `pid-random`.
 */
export function ownerAlive(owner: string | null): boolean | null {
  const [pid, host] = (owner ?? '').split('-')[0]!.split('@');
  if (host !== undefined && host !== HOST) return null;
  return otherProcessAlive(Number(pid));
}

/** This process as an owner of work in progress (`pid@host`), as ownerAlive reads it. */
export const THIS_PROCESS = `${process.pid}@${HOST}`;

/** How often the heartbeat of a runner's queued and running jobs is written. */
const HEARTBEAT_MS = 30_000;

export interface JobRunnerOptions {
  /** Heartbeat interval (tests shorten it). */
  heartbeatMs?: number;
  /** The owner written on this runner's jobs (tests play a process of another machine); by default this process. */
  owner?: string;
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler<never, unknown>>();
  private readonly queue: string[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly events = new EventEmitter();
  private busy = false;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | null = null;
  readonly owner: string;
  private readonly heartbeatMs: number;

  constructor(
    private readonly db: Db,
    private readonly log: FastifyBaseLogger,
    opts: JobRunnerOptions = {},
  ) {
    this.events.setMaxListeners(1000);
    this.owner = opts.owner ?? `${THIS_PROCESS}-${randomUUID().slice(0, 8)}`;
    this.heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  }

  register<P, R>(kind: string, handler: JobHandler<P, R>): void {
    this.handlers.set(kind, handler as unknown as JobHandler<never, unknown>);
  }

  /** Jobs a previous process left unfinished are failed and cleaned up (their version never became current). */
  async recover(): Promise<number> {
    const unfinished = await this.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', 'in', ['queued', 'running'])
      .execute();
    // Another live server process may own some of them (several processes can share one store): only jobs whose
    // owner process is gone from this machine are interrupted, and jobs of another machine's process whose heartbeat
    // (queued jobs beat too; without one, their creation) is 5 minutes old, all such a process can be judged by.
    const staleBefore = new Date(Date.now() - 5 * 60_000).toISOString();
    const stale = unfinished.filter((j) => {
      const alive = ownerAlive(j.owner);
      return alive === false || (alive === null && (j.heartbeat_at ?? j.created_at) < staleBefore);
    });
    for (const j of stale) {
      await this.finish(j.id, 'failed', null, {
        code: 'interrupted',
        message:
          'The server stopped while this job was queued or running; the previous version is still served. Upload again.',
      });
      await this.handlers
        .get(j.kind)
        ?.cleanup?.(j.id, JSON.parse(j.payload) as never)
        .catch((err: unknown) => {
          this.log.warn({ err, job: j.id }, 'cleanup of an interrupted job failed');
        });
    }
    return stale.length;
  }

  async enqueue(input: {
    kind: string;
    payload: unknown;
    resourceId?: string | null;
    createdBy?: string | null;
    id?: string;
  }): Promise<string> {
    if (!this.handlers.has(input.kind)) throw new Error(`no job handler ${input.kind}`);
    const id = input.id ?? randomUUID();
    await this.db
      .insertInto('jobs')
      .values({
        id,
        kind: input.kind,
        state: 'queued',
        resource_id: input.resourceId ?? null,
        created_by: input.createdBy ?? null,
        payload: JSON.stringify(input.payload),
        progress: '{}',
        result: null,
        error: null,
        created_at: nowIso(),
        started_at: null,
        finished_at: null,
        heartbeat_at: null,
        owner: this.owner,
      })
      .execute();
    this.queue.push(id);
    this.beat();
    setImmediate(() => void this.pump().catch((err: unknown) => this.log.error({ err }, 'job runner failed')));
    return id;
  }

  /**
   * One heartbeat for this runner's unfinished jobs, queued and running, while it has any. A process of another
   * machine starting meanwhile judges them by their heartbeat alone (recover()): a load queued behind a long one, or
   * one merging onto a big table without reporting progress, would pass for interrupted after 5 minutes.
   */
  private beat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      if ((this.queue.length === 0 && this.running.size === 0) || this.stopped) {
        clearInterval(this.heartbeat!);
        this.heartbeat = null;
        return;
      }
      void this.db
        .updateTable('jobs')
        .set({ heartbeat_at: nowIso() })
        .where('owner', '=', this.owner)
        .where('state', 'in', ['queued', 'running'])
        .execute()
        .catch(() => undefined);
    }, this.heartbeatMs);
    this.heartbeat.unref();
  }

  async get(id: string): Promise<JobView | null> {
    const j = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return j ? presentJob(j) : null;
  }

  async cancel(id: string): Promise<JobView> {
    const j = await this.get(id);
    if (!j) throw new AppError(404, 'not_found', `job ${id} not found`);
    if (j.state === 'queued') {
      const i = this.queue.indexOf(id);
      if (i >= 0) this.queue.splice(i, 1);
      // Only if it is still queued: a runner may have started it since the read above, and a running job is
      // cancelled through its own abort (its upload is still being read).
      const stillQueued = await this.finish(
        id,
        'cancelled',
        null,
        { code: 'cancelled', message: 'Cancelled before it started' },
        undefined,
        ['queued'],
      );
      if (!stillQueued) {
        this.running.get(id)?.abort();
        return (await this.get(id))!;
      }
      const row = await this.db
        .selectFrom('jobs')
        .select(['kind', 'payload'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await this.handlers.get(row.kind)?.cleanup?.(id, JSON.parse(row.payload) as never);
    } else if (j.state === 'running') {
      this.running.get(id)?.abort();
    } else {
      throw new AppError(409, 'job_finished', `Job ${id} has already ${j.state}`);
    }
    return (await this.get(id))!;
  }

  /**
   * Tells each of a job's listeners (SSE streams, waiters); one that throws is logged, and neither keeps the others
   * from hearing nor becomes the job's failure.
   */
  private emitSafely(id: string, event: { type: 'progress' | 'end'; job: JobView }): void {
    for (const listener of this.events.listeners(id) as ((e: typeof event) => void)[]) {
      try {
        listener(event);
      } catch (err) {
        this.log.warn({ err, job: id }, 'job listener failed');
      }
    }
  }

  /** Listens to a job's progress and end; returns the unsubscribe function. */
  subscribe(id: string, listener: (event: { type: 'progress' | 'end'; job: JobView }) => void): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }

  /** Resolves when the job has ended (tests, CLI, demo loading). */
  async waitFor(id: string, timeoutMs = 600_000): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const j = await this.get(id);
      if (j && !['queued', 'running'].includes(j.state)) return j;
      if (Date.now() > deadline) throw new Error(`job ${id} did not finish in time`);
      await new Promise<void>((resolve) => {
        const off = this.subscribe(id, (e) => {
          if (e.type === 'end') {
            off();
            resolve();
          }
        });
        setTimeout(() => {
          off();
          resolve();
        }, 200);
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const c of this.running.values()) c.abort();
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
  }

  private async pump(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      for (let id = this.queue.shift(); id !== undefined && !this.stopped; id = this.queue.shift()) {
        try {
          await this.runOne(id);
        } catch (err) {
          // The store failed under the runner itself (starting or finishing the job): the next job still runs, and
          // this one is failed if the store takes it now (else the next start's recovery fails it).
          this.log.error({ err, job: id }, 'job runner could not run or finish a job');
          await this.finish(id, 'failed', null, { code: 'job_failed', message: (err as Error).message }).catch(
            () => undefined,
          );
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async runOne(id: string): Promise<void> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.state !== 'queued') return;
    const handler = this.handlers.get(row.kind)!;
    const controller = new AbortController();
    this.running.set(id, controller);
    // Again: the heartbeat may have stopped between this job leaving the queue and this line.
    this.beat();
    const started = nowIso();
    await this.db
      .updateTable('jobs')
      .set({ state: 'running', started_at: started, heartbeat_at: started })
      .where('id', '=', id)
      .execute();
    let lastWrite = 0;
    let latest: Record<string, unknown> = {};
    let pendingWrite: Promise<unknown> = Promise.resolve();
    const progress = (p: Record<string, unknown>) => {
      latest = p;
      const now = Date.now();
      // Read for listeners only (an SSE stream): progress comes every chunk of a load. Best effort: an event lost to a
      // failing read is followed by the next one, and by the job's outcome.
      if (this.events.listenerCount(id) > 0)
        void this.get(id)
          .then(
            (job) => job && this.emitSafely(id, { type: 'progress', job: { ...job, state: 'running', progress: p } }),
          )
          .catch(() => undefined);
      if (now - lastWrite >= 500) {
        lastWrite = now;
        pendingWrite = this.db
          .updateTable('jobs')
          .set({ progress: JSON.stringify(p), heartbeat_at: nowIso() })
          .where('id', '=', id)
          .execute()
          .catch(() => undefined);
      }
    };
    try {
      const result = await handler.run({
        id,
        payload: JSON.parse(row.payload) as never,
        signal: controller.signal,
        progress,
      });
      await pendingWrite;
      await this.finish(id, 'succeeded', result, null, { ...latest, done: true });
    } catch (err) {
      await pendingWrite;
      const cancelled = controller.signal.aborted;
      const e =
        err instanceof AppError
          ? { code: err.code, message: err.message, ...err.extras }
          : isDiskFull(err)
            ? {
                code: 'disk_full',
                message:
                  "The server's disk filled up during the job; nothing it was changing was changed. Tell the platform administrator, then try again.",
              }
            : { code: 'job_failed', message: (err as Error).message };
      if (!(err instanceof AppError)) this.log.error({ err, job: id }, 'job failed');
      await this.finish(
        id,
        cancelled ? 'cancelled' : 'failed',
        null,
        cancelled ? { code: 'cancelled', message: 'Cancelled by the user' } : e,
        latest,
      );
      await handler.cleanup?.(id, JSON.parse(row.payload) as never).catch((cleanupErr: unknown) => {
        this.log.warn({ err: cleanupErr, job: id }, 'job cleanup failed');
      });
    } finally {
      this.running.delete(id);
    }
  }

  private async finish(
    id: string,
    state: JobState,
    result: unknown,
    error: unknown,
    progress?: Record<string, unknown>,
    /** The states it may end from (default: unfinished for a failure or cancellation, any but succeeded for a success). */
    from?: JobState[],
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({
        state,
        result: result === null || result === undefined ? null : JSON.stringify(result),
        error: error ? JSON.stringify(error) : null,
        finished_at: nowIso(),
        ...(progress ? { progress: JSON.stringify(progress) } : {}),
      })
      .where('id', '=', id)
      // A failure or cancellation only of an unfinished job: one after its success was stored (a read that failed)
      // never turns it over. A success is always written: its work is committed (even if another process took the
      // job for interrupted meanwhile).
      .where(
        'state',
        'in',
        from ?? (state === 'succeeded' ? ['queued', 'running', 'failed', 'cancelled'] : ['queued', 'running']),
      )
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    const job = await this.get(id);
    if (job) this.emitSafely(id, { type: 'end', job });
    return true;
  }
}

/** A full disk, as Node reports it (ENOSPC) or DuckDB does (an IO error naming it). */
function isDiskFull(err: unknown): boolean {
  return (
    (err as NodeJS.ErrnoException | null)?.code === 'ENOSPC' ||
    /No space left on device/i.test(String((err as Error)?.message))
  );
}
