/**
 * The governance report for a period of local (UTC+8) calendar days: catalogue and data totals, exchanges per day,
 * applications and SLA compliance (when the exchange module's tables exist), quality distribution, overdue updates
 * and opened datasets by domain. JSON for the API, XLSX (one sheet per section, Chinese headers) for download.
 */
import ExcelJS from 'exceljs';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../platform/db/index.ts';
import { validationFailed } from '../../platform/http/errors.ts';
import { authorize, type Actor } from '../access/index.ts';
import { findOverdue, type OverdueDataset } from './overdue.ts';
import { governanceRepo, num } from './repository.ts';

/** The city's calendar is China Standard Time (no daylight saving): report days are local days. */
const CITY_OFFSET = '+08:00';
const MAX_DAYS = 3660;

export const QUALITY_BUCKETS = [
  { label: '90–100', min: 90, max: 100 },
  { label: '80–89', min: 80, max: 90 },
  { label: '70–79', min: 70, max: 80 },
  { label: '60–69', min: 60, max: 70 },
  { label: '0–59', min: 0, max: 60 },
] as const;

export interface GovernanceReport {
  period: { from: string; to: string; days: number; timezone: string };
  generatedAt: string;
  datasets: {
    registered: number;
    published: number;
    publishedInPeriod: number;
    withData: number;
    open: number;
    shared: number;
  };
  records: number;
  fields: number;
  topics: { count: number; items: { topic: string; datasets: number }[] };
  departments: {
    total: number;
    providing: number;
    items: { id: string; code: string; name: string; datasets: number; records: number }[];
  };
  exchanges: {
    total: number;
    rows: number;
    perDay: { day: string; exchanges: number; rows: number; resources: number }[];
    byChannel: { channel: string; exchanges: number; rows: number }[];
  };
  applications:
    | { available: false; reason: string }
    | {
        available: true;
        total: number;
        byState: { state: string; count: number }[];
        decided: number;
        decidedOnTime: number;
        openPastDue: number;
        escalated: number;
        /** decidedOnTime / (decided + openPastDue); null when nothing was due. */
        slaCompliance: number | null;
      };
  quality: {
    assessed: number;
    averageScore: number | null;
    buckets: { bucket: string; datasets: number }[];
  };
  overdue: { count: number; items: OverdueDataset[] };
  openedByDomain: { domain: string | null; label: string | null; opened: number; openedInPeriod: number }[];
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function parseDay(s: string, field: string): number {
  const t = Date.parse(`${s}T00:00:00${CITY_OFFSET}`);
  if (!DATE_RE.test(s) || Number.isNaN(t) || new Date(t + 8 * 3_600_000).toISOString().slice(0, 10) !== s)
    throw validationFailed(`${field} must be a date YYYY-MM-DD`, { field });
  return t;
}

/**
 * Applications filed in the period (exchange module, migration 0003). A decided application met its SLA when it was
 * decided by its final due time (the provider's deadline, else the bureau's); one waiting on the bureau or the
 * provider past that stage's due time misses it (the exchange module escalates the same ones). Applications back
 * with the applicant (returned) are on nobody's clock.
 */
async function applications(
  db: Db,
  fromStart: string,
  toEnd: string,
  now: Date,
): Promise<GovernanceReport['applications']> {
  const tables = await governanceRepo.tableNames(db);
  if (!tables.has('share_applications'))
    return { available: false, reason: 'The exchange module (share applications) is not installed' };
  const rows = await governanceRepo.applicationsFiled(db, fromStart, toEnd);
  const byState = new Map<string, number>();
  let decided = 0;
  let onTime = 0;
  let openPastDue = 0;
  let escalated = 0;
  const late = (due: string | null) => due !== null && Date.parse(due) < now.getTime();
  for (const r of rows) {
    byState.set(r.state, (byState.get(r.state) ?? 0) + 1);
    if (num(r.escalated) > 0) escalated++;
    if (r.decided_at) {
      decided++;
      const due = r.provider_due_at ?? r.bureau_due_at;
      if (due === null || Date.parse(r.decided_at) <= Date.parse(due)) onTime++;
    } else if (
      (r.state === 'pending_bureau' && late(r.bureau_due_at)) ||
      (r.state === 'pending_provider' && late(r.provider_due_at))
    )
      openPastDue++;
  }
  const denominator = decided + openPastDue;
  return {
    available: true,
    total: rows.length,
    byState: [...byState].map(([state, count]) => ({ state, count })).sort((a, b) => a.state.localeCompare(b.state)),
    decided,
    decidedOnTime: onTime,
    openPastDue,
    escalated,
    slaCompliance: denominator === 0 ? null : onTime / denominator,
  };
}

export async function governanceReport(
  ctx: AppContext,
  actor: Actor,
  q: { from: string; to: string },
): Promise<GovernanceReport> {
  authorize(actor, { action: 'governance.report' }, 'Only platform admins and reviewers read the governance report');
  const fromT = parseDay(q.from, 'from');
  const toT = parseDay(q.to, 'to');
  if (toT < fromT) throw validationFailed('to must not be before from', { field: 'to' });
  const days = Math.round((toT - fromT) / 86_400_000) + 1;
  if (days > MAX_DAYS) throw validationFailed(`The period may span at most ${MAX_DAYS} days`, { field: 'to' });
  const db = ctx.store.db;
  const now = new Date();
  const fromStart = new Date(fromT).toISOString();
  const toEndT = toT + 86_400_000; // exclusive
  const toEnd = new Date(toEndT).toISOString();
  // Inclusive bound for "as of the end of the period" comparisons on ISO text.
  const toEndIncl = new Date(toEndT - 1).toISOString();
  const asOf = new Date(Math.min(toEndT - 1, now.getTime()));

  const [totals, registered, dataTotals, fields, topicRows, depts, deptTotal, perDayRows, channels, scores, domains] =
    await Promise.all([
      governanceRepo.resourceTotals(db, toEndIncl, fromStart),
      governanceRepo.allResourceCount(db),
      governanceRepo.dataTotals(db, toEndIncl),
      governanceRepo.fieldCount(db, toEndIncl),
      governanceRepo.publishedTopics(db, toEndIncl),
      governanceRepo.byDepartment(db, toEndIncl),
      governanceRepo.departmentCount(db),
      governanceRepo.exchangesPerDay(db, ctx.store.dialect, fromStart, toEnd),
      governanceRepo.exchangesByChannel(db, fromStart, toEnd),
      governanceRepo.latestScores(db, toEndIncl),
      governanceRepo.openedByDomain(db, fromStart, toEndIncl),
    ]);

  const topicCounts = new Map<string, number>();
  for (const r of topicRows) {
    let list: unknown;
    try {
      list = JSON.parse(r.topics);
    } catch {
      list = [];
    }
    if (Array.isArray(list)) for (const t of list) topicCounts.set(String(t), (topicCounts.get(String(t)) ?? 0) + 1);
  }

  // Every day of the period, zero when nothing was exchanged.
  const byDay = new Map(perDayRows.map((r) => [r.day, r]));
  const perDay: GovernanceReport['exchanges']['perDay'] = [];
  for (let i = 0; i < days; i++) {
    const day = new Date(fromT + i * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const r = byDay.get(day);
    perDay.push({ day, exchanges: num(r?.exchanges), rows: num(r?.rows), resources: num(r?.resources) });
  }

  const buckets = QUALITY_BUCKETS.map((b) => ({
    bucket: b.label,
    datasets: scores.filter((s) => {
      const v = Number(s.score);
      return v >= b.min && (b.max === 100 ? v <= 100 : v < b.max);
    }).length,
  }));
  const overdue = await findOverdue(db, { asOf });

  return {
    period: { from: q.from, to: q.to, days, timezone: 'Asia/Shanghai (UTC+8)' },
    generatedAt: now.toISOString(),
    datasets: {
      registered,
      published: totals.published,
      publishedInPeriod: totals.publishedInPeriod,
      withData: dataTotals.withData,
      open: totals.open,
      shared: totals.shared,
    },
    records: dataTotals.records,
    fields,
    topics: {
      count: topicCounts.size,
      items: [...topicCounts]
        .map(([topic, datasets]) => ({ topic, datasets }))
        .sort((a, b) => b.datasets - a.datasets || a.topic.localeCompare(b.topic)),
    },
    departments: {
      total: deptTotal,
      providing: totals.providers,
      items: depts.map((d) => ({
        id: d.id,
        code: d.code,
        name: d.name,
        datasets: num(d.datasets),
        records: num(d.records),
      })),
    },
    exchanges: {
      total: perDay.reduce((a, d) => a + d.exchanges, 0),
      rows: perDay.reduce((a, d) => a + d.rows, 0),
      perDay,
      byChannel: channels.map((c) => ({ channel: c.channel, exchanges: num(c.exchanges), rows: num(c.rows) })),
    },
    applications: await applications(db, fromStart, toEnd, now),
    quality: {
      assessed: scores.length,
      averageScore:
        scores.length === 0
          ? null
          : Math.round((scores.reduce((a, s) => a + Number(s.score), 0) / scores.length) * 10) / 10,
      buckets,
    },
    overdue: { count: overdue.length, items: overdue },
    openedByDomain: domains.map((d) => ({
      domain: d.domain,
      label: d.label,
      opened: num(d.opened),
      openedInPeriod: num(d.opened_in_period),
    })),
  };
}

/** Sheet names of the XLSX export, in order. */
export const REPORT_SHEETS = [
  '概览',
  '每日交换',
  '部门',
  '主题',
  '申请与时效',
  '质量分布',
  '逾期更新',
  '开放领域',
] as const;

export async function governanceReportXlsx(r: GovernanceReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CityData';
  wb.created = new Date(r.generatedAt);
  const sheet = (name: (typeof REPORT_SHEETS)[number], columns: { header: string; key: string; width?: number }[]) => {
    const ws = wb.addWorksheet(name);
    ws.columns = columns.map((c) => ({ width: 16, ...c }));
    ws.getRow(1).font = { bold: true };
    return ws;
  };

  const overview = sheet('概览', [
    { header: '指标', key: 'k', width: 28 },
    { header: '数值', key: 'v', width: 24 },
  ]);
  const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 1000) / 10}%`);
  for (const [k, v] of [
    ['统计期间', `${r.period.from} 至 ${r.period.to}`],
    ['登记资源数', r.datasets.registered],
    ['已发布资源数', r.datasets.published],
    ['期间新发布资源数', r.datasets.publishedInPeriod],
    ['有数据的资源数', r.datasets.withData],
    ['开放资源数', r.datasets.open],
    ['共享资源数', r.datasets.shared],
    ['数据记录数', r.records],
    ['信息项数', r.fields],
    ['主题数', r.topics.count],
    ['部门总数', r.departments.total],
    ['提供数据的部门数', r.departments.providing],
    ['期间交换次数', r.exchanges.total],
    ['期间交换记录数', r.exchanges.rows],
    ['期间申请数', r.applications.available ? r.applications.total : '未启用'],
    ['时效达标率', r.applications.available ? pct(r.applications.slaCompliance) : '未启用'],
    ['参与质量评估的资源数', r.quality.assessed],
    ['平均质量得分', r.quality.averageScore ?? '—'],
    ['逾期未更新资源数', r.overdue.count],
  ] as [string, string | number][])
    overview.addRow({ k, v });

  const perDay = sheet('每日交换', [
    { header: '日期', key: 'day' },
    { header: '交换次数', key: 'exchanges' },
    { header: '记录数', key: 'rows' },
    { header: '涉及资源数', key: 'resources' },
  ]);
  for (const d of r.exchanges.perDay) perDay.addRow(d);

  const depts = sheet('部门', [
    { header: '部门代码', key: 'code' },
    { header: '部门名称', key: 'name', width: 28 },
    { header: '已发布资源数', key: 'datasets' },
    { header: '数据记录数', key: 'records' },
  ]);
  for (const d of r.departments.items) depts.addRow(d);

  const topics = sheet('主题', [
    { header: '主题', key: 'topic', width: 24 },
    { header: '资源数', key: 'datasets' },
  ]);
  for (const t of r.topics.items) topics.addRow(t);

  const apps = sheet('申请与时效', [
    { header: '指标', key: 'k', width: 28 },
    { header: '数值', key: 'v', width: 24 },
  ]);
  if (!r.applications.available) apps.addRow({ k: '状态', v: `未启用: ${r.applications.reason}` });
  else {
    const a = r.applications;
    for (const [k, v] of [
      ['申请总数', a.total],
      ['已办结', a.decided],
      ['按时办结', a.decidedOnTime],
      ['超时未办结', a.openPastDue],
      ['已督办(升级)', a.escalated],
      ['时效达标率', pct(a.slaCompliance)],
    ] as [string, string | number][])
      apps.addRow({ k, v });
    for (const s of a.byState) apps.addRow({ k: `状态: ${s.state}`, v: s.count });
  }

  const quality = sheet('质量分布', [
    { header: '得分区间', key: 'bucket' },
    { header: '资源数', key: 'datasets' },
  ]);
  for (const b of r.quality.buckets) quality.addRow(b);

  const overdue = sheet('逾期更新', [
    { header: '资源代码', key: 'code', width: 22 },
    { header: '资源名称', key: 'name', width: 30 },
    { header: '提供部门', key: 'providerName', width: 20 },
    { header: '更新周期', key: 'updateCycle' },
    { header: '最近更新', key: 'lastUpdatedAt', width: 24 },
    { header: '应更新日期', key: 'dueAt', width: 24 },
    { header: '逾期天数', key: 'daysOverdue' },
  ]);
  for (const o of r.overdue.items) overdue.addRow(o);

  const domains = sheet('开放领域', [
    { header: '领域代码', key: 'domain' },
    { header: '领域', key: 'label', width: 20 },
    { header: '开放资源数', key: 'opened' },
    { header: '期间新开放', key: 'openedInPeriod' },
  ]);
  for (const d of r.openedByDomain) domains.addRow({ ...d, domain: d.domain ?? '未分类' });

  return Buffer.from(await wb.xlsx.writeBuffer());
}
