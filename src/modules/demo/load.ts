import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../context.ts';
import { dataPaths } from '../../platform/duckdb/index.ts';
import { accessRepo, createUserUnchecked, type Role, type UserActor } from '../access/index.ts';
import {
  catalogueRepo,
  createDepartmentUnchecked,
  createResource,
  getResource,
  normaliseName,
  requestWithdrawal,
  reviewResource,
  submitResource,
  updateResource,
  type Resource,
  type ResourceInput,
} from '../catalogue/index.ts';
import { datastoreRepo, type LoadPayload } from '../datastore/index.ts';
import { GEOJSON_COLUMNS } from '../ingest/index.ts';
import { isValidDivisionCode, registerHistoricalDivisionCodes } from '../governance/index.ts';
import { buildDemoCity, DEFAULT_SEED, resourceRowCount } from './catalogue.ts';
import { BUREAU_CODE } from './departments.ts';
import { GEOMETRY_FIELD } from './resources/spec.ts';
import { DEMO_DIVISION_CODES } from './place.ts';
import type { DemoCity, DemoResource, DemoStatus } from './types.ts';
import { writeResourceData, type DemoFileFormat } from './writer.ts';

/**
 * Loads the demo city (云溪区) into a running platform through the real services: departments, users, resources
 * created and submitted by each department's steward, reviewed by the bureau's reviewers, and every table loaded
 * through the load job (so each has version 1 with a validation report). Runs only on a fresh store; a start that
 * was interrupted half-way is resumed (every step is keyed by a natural key: department code, username, resource
 * name, current version).
 */

export interface DemoLoadOptions {
  seed?: number;
  /** Row scale of the big tables (1 = ~300k rows in all). */
  scale?: number;
  signal?: AbortSignal;
}

export interface DemoLoadResult {
  loaded: boolean;
  /** Why nothing was loaded (not fresh, already loaded). */
  skipped?: string;
  departments: number;
  users: number;
  resources: number;
  tables: number;
  rows: number;
  seconds: number;
}

export type DemoState = 'off' | 'skipped' | 'loading' | 'ready' | 'failed';

/**
 * Hook for the exchange module: creates sharing/open applications in several states once the catalogue is loaded.
 * Set by whoever wires the exchange module (it is called with the loaded city and a lookup of ids by natural key).
 */
export type SeedDemoApplications = (
  ctx: AppContext,
  demo: { city: DemoCity; userIds: Map<string, string>; resourceIds: Map<string, string> },
) => Promise<void>;
let seedDemoApplications: SeedDemoApplications | undefined;
export function setSeedDemoApplications(fn: SeedDemoApplications | undefined): void {
  seedDemoApplications = fn;
}

const MARKER = 'demo.json';
interface Marker {
  state: 'loading' | 'ready';
  seed: number;
  scale: number;
  startedAt: string;
  finishedAt?: string;
}

function readMarker(dataDir: string): Marker | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, MARKER), 'utf8')) as Marker;
  } catch {
    return null;
  }
}
function writeMarker(dataDir: string, m: Marker): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, MARKER), JSON.stringify(m, null, 2) + '\n');
}

/** Why the store is not a place for the demo, or null when it is (fresh, or a demo load that was interrupted). */
async function notFreshReason(ctx: AppContext): Promise<string | null> {
  const marker = readMarker(ctx.config.dataDir);
  if (marker?.state === 'ready') return 'the demo city is already loaded';
  if (marker?.state === 'loading') return null;
  const departments = (await catalogueRepo.listDepartments(ctx.store.db)).length;
  const resources = (await catalogueRepo.allResourceIds(ctx.store.db)).length;
  if (departments > 0 || resources > 0)
    return `the catalogue is not empty (${departments} departments, ${resources} resources)`;
  return null;
}

/** Return and withdrawal reasons a reviewer or steward would write; the default covers the rest. */
const RETURN_REASONS: Record<string, string> = {
  'presale-permits':
    '信息项“预售资金监管账号”属于银行账户信息，请标注为敏感字段并补充共享依据；摘要请说明数据覆盖的时间范围。',
};
const DEFAULT_RETURN_REASON = '摘要与信息项描述不完整，请补充数据来源、统计口径和更新时间后重新提交。';
const WITHDRAW_REASONS: Record<string, string> = {
  'elderly-care-facilities': '养老机构名录已由区民政局统一迁移至省养老服务平台发布，本目录停止维护，请使用省平台数据。',
};
const DEFAULT_WITHDRAW_REASON = '数据已停止更新，由新的信息资源替代。';

/** File format the demo department "sends" each table in: the mix real departments send (STANDARDS.md §5). */
function uploadFormat(r: DemoResource, index: number): DemoFileFormat {
  if (r.geo) return 'geojson';
  if (r.format === 'file' && r.rows <= 2_000 && index % 3 === 0) return 'xlsx';
  if (index % 4 === 1) return 'csv-gb18030';
  return 'csv';
}
/** Generated files waiting for the job runner at most. */
const LOADS_AHEAD = 2;
const EXT: Record<DemoFileFormat, string> = { csv: 'csv', 'csv-gb18030': 'csv', xlsx: 'xlsx', geojson: 'geojson' };

const GEOMETRY_LABEL = { point: '点', line: '线', polygon: '面' } as const;

function resourceInput(r: DemoResource, providerId: string): ResourceInput {
  return {
    name: r.name,
    nameEn: r.nameEn ?? null,
    providerId,
    abstract: r.abstract,
    classCategory: r.classCategory,
    classItem: r.classItem,
    classCatalog: r.classCatalog,
    classDetail: r.classDetail ?? null,
    format: r.format,
    sharingType: r.sharingType,
    sharingConditions: r.sharingConditions ?? null,
    sharingBasis: r.sharingBasis ?? null,
    sharingMethod: r.sharingMethod,
    openType: r.openType,
    openConditions: r.openConditions ?? null,
    updateCycle: r.updateCycle,
    grade: r.grade ?? 'L1',
    domain: r.domain,
    topics: r.topics,
    tags: r.tags,
    licence: r.licence ?? null,
    contactName: r.contactName ?? null,
    contactPhone: r.contactPhone ?? null,
    contactEmail: r.contactEmail ?? null,
    spatialCoverage: r.spatialCoverage ?? null,
    divisionCode: r.divisionCode ?? null,
    temporalStart: r.temporalStart ?? null,
    temporalEnd: r.temporalEnd ?? null,
    fields: r.fields.map((f) =>
      // Geo tables are loaded from GeoJSON: the geometry lands in the platform's geometry column, so the 信息项
      // describing it takes that column's name (the WKT field of the CSV exports has no column here).
      r.geo && f.name === GEOMETRY_FIELD
        ? {
            name: GEOJSON_COLUMNS.geometry,
            nameEn: 'geometry',
            dataType: 'string',
            length: null,
            description: `空间几何（${GEOMETRY_LABEL[r.geo]}，GeoJSON，WGS-84 坐标）`,
            sensitivity: 'none',
            grade: f.grade ?? 'L1',
          }
        : {
            name: f.name,
            nameEn: f.nameEn ?? null,
            dataType: f.dataType,
            length: f.length ?? null,
            description: f.description ?? null,
            sensitivity: f.sensitivity ?? 'none',
            grade: f.grade ?? 'L1',
          },
    ),
  };
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error('demo loading stopped');
}

/**
 * Loads the demo city when the store is fresh; does nothing (and says why) otherwise. Safe to call twice.
 */
export async function loadDemoCity(ctx: AppContext, opts: DemoLoadOptions = {}): Promise<DemoLoadResult> {
  const started = Date.now();
  const empty = { departments: 0, users: 0, resources: 0, tables: 0, rows: 0 };
  const skipped = await notFreshReason(ctx);
  if (skipped) return { loaded: false, skipped, ...empty, seconds: 0 };
  // An interrupted load resumes with the seed and scale it started with.
  const resumed = readMarker(ctx.config.dataDir);
  const seed = resumed?.seed ?? opts.seed ?? DEFAULT_SEED;
  const scale = resumed?.scale ?? opts.scale ?? 1;
  const db = ctx.store.db;
  const log = ctx.log;
  const signal = opts.signal;
  if (resumed) ctx.log.info('demo: resuming the demo load an earlier start began');
  writeMarker(ctx.config.dataDir, {
    state: 'loading',
    seed,
    scale,
    startedAt: resumed?.startedAt ?? new Date().toISOString(),
  });
  // The district's codes are fictional: make the identifier checks accept them (IDs and division-code columns).
  registerHistoricalDivisionCodes(DEMO_DIVISION_CODES.filter((c) => !isValidDivisionCode(c)));

  const city = buildDemoCity(seed);
  log.info({ seed, scale }, `demo: loading ${city.departments.length} departments, ${city.resources.length} resources`);

  // Departments, parents before children (the demo lists them in that order).
  const deptIds = new Map<string, string>();
  for (const d of city.departments) {
    checkAborted(signal);
    const existing = await catalogueRepo.departmentByCode(db, d.code);
    const parentId = d.parentCode ? (deptIds.get(d.parentCode) ?? null) : null;
    const id =
      existing?.id ??
      (await createDepartmentUnchecked(db, { code: d.code, name: d.name, nameEn: d.nameEn, kind: d.kind, parentId }))
        .id;
    deptIds.set(d.code, id);
  }

  // Users: scrypt hashing dominates, so hash a few at a time (libuv runs four in parallel).
  const users = new Map<string, UserActor>();
  const pending = [...city.users];
  while (pending.length > 0) {
    checkAborted(signal);
    const batch = pending.splice(0, 4);
    const made = await Promise.all(
      batch.map(async (u) => {
        const departmentId = u.departmentCode ? (deptIds.get(u.departmentCode) ?? null) : null;
        const existing = await accessRepo.userByUsername(db, u.username);
        const id =
          existing?.id ??
          (
            await createUserUnchecked(db, {
              username: u.username,
              password: u.password,
              role: u.role as Role,
              departmentId,
              displayName: u.displayName,
            })
          ).id;
        return {
          kind: 'user',
          userId: id,
          username: u.username,
          role: u.role as Role,
          departmentId,
          via: 'cli',
        } satisfies UserActor;
      }),
    );
    for (const a of made) users.set(a.username, a);
  }
  const stewardOf = (code: string): UserActor => {
    const u = users.get(`${code.toLowerCase()}_steward`);
    if (!u) throw new Error(`demo: no steward for department ${code}`);
    return u;
  };
  const reviewers = city.users.filter((u) => u.role === 'reviewer' && u.departmentCode === BUREAU_CODE);
  const reviewerFor = (i: number): UserActor => users.get(reviewers[i % reviewers.length]?.username ?? '')!;
  const changed = async (id: string) => {
    for (const h of ctx.events.onResourceChanged) await h(id);
  };

  // Resources: each department's steward registers its own (as drafts first, so related codes can be linked).
  const resources = new Map<string, Resource>();
  for (const r of city.resources) {
    checkAborted(signal);
    const steward = stewardOf(r.providerCode);
    const providerId = deptIds.get(r.providerCode)!;
    const existing = await catalogueRepo.sameNameInProvider(db, providerId, normaliseName(r.name));
    const res = existing
      ? await getResource(db, steward, existing.id)
      : await createResource(db, steward, resourceInput(r, providerId));
    if (!existing) await changed(res.id);
    resources.set(r.key, res);
  }
  for (const r of city.resources) {
    const res = resources.get(r.key)!;
    const related = (r.relatedKeys ?? []).flatMap((k) => {
      const other = resources.get(k);
      return other ? [other.code] : [];
    });
    if (related.length === 0 || !['draft', 'returned'].includes(res.status)) continue;
    if (JSON.stringify(res.relatedCodes) === JSON.stringify(related)) continue;
    resources.set(r.key, await updateResource(db, stewardOf(r.providerCode), res.id, { relatedCodes: related }));
  }
  // Lifecycle first, so the portal is alive within seconds: the steward submits, a bureau reviewer publishes or
  // returns; withdrawals are requested and approved. Data follows (a published resource getting its table).
  let n = 0;
  for (const r of city.resources) {
    checkAborted(signal);
    const res = await advance(ctx, resources.get(r.key)!, r, stewardOf(r.providerCode), reviewerFor(n++));
    resources.set(r.key, res);
  }
  log.info(`demo: ${resources.size} resources registered and reviewed; loading their data`);

  // Data: the steward uploads each table, smallest first so most of the portal has data early. Files are written
  // straight into the job's upload directory (what an upload through the API leaves there) and queued; generating
  // the next file overlaps the engine's load of the previous one (the runner is serial, DuckDB has its own
  // threads). At most LOADS_AHEAD files wait on disk, so big scales do not fill the disk first.
  const paths = dataPaths(ctx.config.dataDir);
  const jobs: { key: string; jobId: string; rows: number; done: boolean }[] = [];
  // Stopping (server shutdown) cancels the queued loads; the next start resumes with the tables still missing.
  const cancelLoads = () => {
    for (const j of jobs) if (!j.done) void ctx.jobs.cancel(j.jobId).catch(() => undefined);
  };
  signal?.addEventListener('abort', cancelLoads, { once: true });
  let totalRows = 0;
  const finish = async (j: (typeof jobs)[number]) => {
    const job = await ctx.jobs.waitFor(j.jobId);
    j.done = true;
    checkAborted(signal);
    if (job.state !== 'succeeded')
      throw new Error(`demo: loading ${j.key} ${job.state}: ${job.error?.message ?? 'no message'}`);
    totalRows += j.rows;
    log.info(`demo: ${j.key} loaded (${j.rows.toLocaleString('en')} rows)`);
  };
  const withData = city.resources
    .map((r, i) => ({ r, i, rows: resourceRowCount(r, scale) }))
    .filter((x) => x.rows > 0)
    .sort((a, b) => a.rows - b.rows);
  try {
    for (const { r, i } of withData) {
      checkAborted(signal);
      const res = resources.get(r.key)!;
      if (await datastoreRepo.current(db, res.id)) continue;
      const waiting = jobs.filter((j) => !j.done);
      if (waiting.length >= LOADS_AHEAD) await finish(waiting[0]!);
      const format = uploadFormat(r, i);
      const jobId = randomUUID();
      const relDir = path.join('uploads', jobId);
      fs.mkdirSync(path.join(paths.root, relDir), { recursive: true });
      const { rows } = await writeResourceData(city, r.key, {
        scale,
        format,
        out: path.join(paths.root, relDir, 'upload.bin'),
      });
      const steward = stewardOf(r.providerCode);
      const payload: LoadPayload = {
        mode: 'replace',
        ...(format === 'csv-gb18030' ? { encoding: 'gb18030' as const } : {}),
        resourceId: res.id,
        uploadDir: relDir,
        originalName: `${r.name}.${EXT[format]}`,
        actorId: steward.userId,
      };
      await ctx.jobs.enqueue({ id: jobId, kind: 'load', payload, resourceId: res.id, createdBy: steward.userId });
      jobs.push({ key: r.key, jobId, rows, done: false });
    }
    for (const j of jobs) if (!j.done) await finish(j);
  } catch (err) {
    // Stopped or failed: the queued loads are being cancelled; wait until each has ended (a load already past its
    // last cancellation point still completes), so a resume right after sees every table that got its data.
    await Promise.allSettled(jobs.filter((j) => !j.done).map((j) => ctx.jobs.waitFor(j.jobId)));
    throw err;
  } finally {
    signal?.removeEventListener('abort', cancelLoads);
  }
  log.info(`demo: ${jobs.length} tables loaded (${totalRows.toLocaleString('en')} rows)`);

  const userIds = new Map([...users].map(([k, v]) => [k, v.userId]));
  const resourceIds = new Map([...resources].map(([k, v]) => [k, v.id]));
  if (seedDemoApplications) await seedDemoApplications(ctx, { city, userIds, resourceIds });

  const marker = readMarker(ctx.config.dataDir);
  writeMarker(ctx.config.dataDir, {
    state: 'ready',
    seed,
    scale,
    startedAt: marker?.startedAt ?? new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
  });
  const result: DemoLoadResult = {
    loaded: true,
    departments: deptIds.size,
    users: users.size,
    resources: resources.size,
    tables: jobs.length,
    rows: totalRows,
    seconds: (Date.now() - started) / 1000,
  };
  log.info(result, `demo: the demo city is ready (${result.seconds.toFixed(1)} s)`);
  return result;
}

/** Moves a resource one real step at a time from where it is to the demo's target state. */
async function advance(
  ctx: AppContext,
  start: Resource,
  r: DemoResource,
  steward: UserActor,
  reviewer: UserActor,
): Promise<Resource> {
  const db = ctx.store.db;
  const target: DemoStatus = r.status;
  let res = start;
  for (let step = 0; step < 6; step++) {
    const at = res.status as DemoStatus;
    if (at === target) break;
    if (at === 'draft' || at === 'returned') {
      res = await submitResource(db, steward, res.id);
    } else if (at === 'pending_review' && res.pendingAction === 'withdraw') {
      res = await reviewResource(db, reviewer, res.id, { decision: 'approve' });
    } else if (at === 'pending_review') {
      res =
        target === 'returned'
          ? await reviewResource(db, reviewer, res.id, {
              decision: 'return',
              reason: RETURN_REASONS[r.key] ?? DEFAULT_RETURN_REASON,
            })
          : await reviewResource(db, reviewer, res.id, { decision: 'approve' });
    } else if (at === 'published' && target === 'withdrawn') {
      res = await requestWithdrawal(db, steward, res.id, WITHDRAW_REASONS[r.key] ?? DEFAULT_WITHDRAW_REASON);
    } else {
      throw new Error(`demo: cannot move ${r.key} from ${at} to ${target}`);
    }
    for (const h of ctx.events.onResourceChanged) await h(res.id);
  }
  return res;
}

/** A demo load running in the background of a server: its state for /api/v1/health, and a clean stop. */
export interface DemoHandle {
  state(): DemoState;
  readonly done: Promise<DemoLoadResult | null>;
  stop(): Promise<void>;
}

const handles = new WeakMap<AppContext, DemoHandle>();

/** The demo state of a server (for /api/v1/health): 'off' when no demo load was started. */
export function demoState(ctx: AppContext): DemoState {
  return handles.get(ctx)?.state() ?? 'off';
}

/** Starts loading the demo city in the background (the server keeps serving); failures are logged, never thrown. */
export function startDemoCity(ctx: AppContext, opts: Omit<DemoLoadOptions, 'signal'> = {}): DemoHandle {
  const controller = new AbortController();
  let state: DemoState = 'loading';
  const done = loadDemoCity(ctx, { ...opts, signal: controller.signal }).then(
    (r) => {
      state = r.loaded ? 'ready' : 'skipped';
      if (!r.loaded) ctx.log.info(`demo: not loaded: ${r.skipped}`);
      return r;
    },
    (err: unknown) => {
      state = 'failed';
      if (controller.signal.aborted) ctx.log.warn('demo: loading stopped; it resumes at the next start');
      else ctx.log.error({ err }, 'demo: loading failed; it resumes at the next start');
      return null;
    },
  );
  const handle: DemoHandle = {
    state: () => state,
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
  handles.set(ctx, handle);
  return handle;
}
