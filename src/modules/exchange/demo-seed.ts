import { accessRepo, type UserActor } from '../access/index.ts';
import type { SeedDemoApplications } from '../demo/index.ts';
import { currentAgreements } from './admin.ts';
import { addUsageReport, bureauReview, createApplication, providerAnswer } from './applications.ts';

const DAY = 86_400_000;
const date = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The demo city's applications, in the states a working platform has: sharing applications waiting for the
 * bureau, waiting for the provider, approved (a grant with masked and raw fields), refused and returned with a
 * reason; open-data applications from citizens, one waiting and one approved with a usage report. Every step goes
 * through the same services as the API, so SLAs, events and notices are real. Runs once: skipped when any
 * application exists.
 */
export const seedDemoApplications: SeedDemoApplications = async (ctx, { city, userIds, resourceIds }) => {
  const db = ctx.store.db;
  if (await db.selectFrom('share_applications').select('id').limit(1).executeTakeFirst()) return;
  const actor = async (username: string): Promise<UserActor | null> => {
    const id = userIds.get(username);
    const u = id ? await accessRepo.userById(db, id) : undefined;
    if (!u) return null;
    return {
      kind: 'user',
      userId: u.id,
      username: u.username,
      role: u.role as UserActor['role'],
      departmentId: u.department_id,
      via: 'cli',
    };
  };
  const reviewer = await actor(city.users.find((u) => u.role === 'reviewer')?.username ?? '');
  if (!reviewer) return;
  const now = Date.now();
  const period = { periodFrom: date(now), periodTo: date(now + 180 * DAY) };
  const published = city.resources.filter((r) => r.status === 'published' && resourceIds.has(r.key));
  const shared = published.filter((r) => r.sharingType === 'conditional');
  const opened = published.filter((r) => r.openType === 'conditional');
  const members = city.users.filter((u) => u.role === 'member');

  type Outcome = 'pending_bureau' | 'pending_provider' | 'approved' | 'refused' | 'returned';
  const plans: { outcome: Outcome; purpose: string; scenario: string }[] = [
    { outcome: 'pending_bureau', purpose: '联合执法核查', scenario: '执法检查前核对对象基本信息' },
    { outcome: 'pending_provider', purpose: '民生服务统计分析', scenario: '按街道统计服务对象数量，支撑资源配置' },
    { outcome: 'approved', purpose: '政务服务“一网通办”免证办理', scenario: '办件时自动核验申请人信息，减少材料提交' },
    { outcome: 'refused', purpose: '内部研究', scenario: '了解数据情况' },
    { outcome: 'returned', purpose: '应急管理', scenario: '突发事件中联系相关人员' },
  ];
  for (let i = 0; i < plans.length && shared.length > 0; i++) {
    const plan = plans[i]!;
    const r = shared[i % shared.length]!;
    const provider = await actor(`${r.providerCode.toLowerCase()}_steward`);
    const applicant = await actor(members.filter((m) => m.departmentCode !== r.providerCode)[i]?.username ?? '');
    if (!provider || !applicant) continue;
    const fields = r.fields.map((f) => f.name);
    const app = await createApplication(ctx, applicant, {
      kind: 'share',
      resourceId: resourceIds.get(r.key)!,
      purpose: plan.purpose,
      scenario: plan.scenario,
      fields,
      ...period,
    });
    if (plan.outcome === 'pending_bureau') continue;
    if (plan.outcome === 'returned') {
      await bureauReview(ctx, reviewer, app.id, {
        decision: 'return',
        reason: '申请用途与所申请字段不对应，请说明需要身份证号等敏感字段的依据',
      });
      continue;
    }
    await bureauReview(ctx, reviewer, app.id, { decision: 'pass' });
    if (plan.outcome === 'pending_provider') continue;
    if (plan.outcome === 'refused') {
      await providerAnswer(ctx, provider, app.id, {
        decision: 'refuse',
        reason: '申请用途不明确，且所需数据已通过无条件共享目录提供，请改用该目录',
      });
      continue;
    }
    // Approved: every field granted, the first sensitive one raw, the rest masked as the grade says.
    const raw = r.fields.find((f) => f.sensitivity && f.sensitivity !== 'none')?.name;
    await providerAnswer(ctx, provider, app.id, {
      decision: 'approve',
      fields,
      unmaskedFields: raw ? [raw] : [],
      reason: '同意共享，仅限所述场景使用',
    });
  }

  const texts = await currentAgreements(ctx);
  const commitmentVersion = texts.security_commitment?.version;
  const agreementVersion = texts.use_agreement?.version;
  const citizens = city.users.filter((u) => u.role === 'public');
  for (let i = 0; i < Math.min(2, citizens.length) && opened.length > 0; i++) {
    const r = opened[i % opened.length]!;
    const applicant = await actor(citizens[i]!.username);
    const provider = await actor(`${r.providerCode.toLowerCase()}_steward`);
    if (!applicant || !provider || commitmentVersion === undefined || agreementVersion === undefined) continue;
    const app = await createApplication(ctx, applicant, {
      kind: 'open',
      resourceId: resourceIds.get(r.key)!,
      purpose: i === 0 ? '城市研究课题' : '开发便民查询小程序',
      scenario: i === 0 ? '分析近年变化趋势，形成研究报告' : '为市民提供就近查询服务',
      fields: r.fields.map((f) => f.name),
      form: { organisation: i === 0 ? '某大学城市规划学院' : '某科技有限公司', contact: '13800000000' },
      commitmentVersion,
      agreementVersion,
      ...period,
    });
    if (i === 0) continue;
    await providerAnswer(ctx, provider, app.id, { decision: 'approve', reason: '同意开放，请按协议使用' });
    await addUsageReport(ctx, applicant, app.id, {
      text: '已上线便民查询小程序，月均访问约 3,000 次，数据来源已在页面注明。',
    });
  }
};
