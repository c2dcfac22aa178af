import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Checkbox,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { get, post } from '../../api/client.ts';
import { useDepartmentName, useMe } from '../../api/hooks.ts';
import type { Resource } from '../../api/types.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { atLeastOne, dueOf, lastLocalDay, localDay, type Application, type ApplicationDetail } from './api.ts';
import { ResubmitDialog } from './ResubmitDialog.tsx';
import { SlaCountdown } from './SlaCountdown.tsx';

export type ApplicationsMode = 'mine' | 'provider' | 'bureau' | 'department';

const STATE_COLOUR: Record<string, string> = {
  pending_bureau: 'processing',
  pending_provider: 'processing',
  returned: 'warning',
  approved: 'success',
  delivered: 'success',
  refused: 'error',
  expired: 'default',
};

export function StateTag({ state }: { state: string }) {
  const { tx } = useI18n();
  return <Tag color={STATE_COLOUR[state] ?? 'default'}>{tx(`app.state.${state}`, state)}</Tag>;
}

/** Names of the resources the applications refer to (each fetched once and cached). */
function useResourceNames(ids: string[]) {
  const results = useQueries({
    queries: [...new Set(ids)].map((id) => ({
      queryKey: ['resource', id],
      queryFn: () => get<Resource>(`/api/v1/resources/${encodeURIComponent(id)}`),
      staleTime: 60_000,
    })),
  });
  const byId = new Map<string, Resource>();
  for (const r of results) if (r.data) byId.set(r.data.id, r.data);
  return byId;
}

export function useApplications(filter: Record<string, string | undefined> = {}) {
  return useQuery({
    queryKey: ['applications', filter],
    queryFn: () => get<Application[]>('/api/v1/applications', { ...filter, limit: 200 }),
  });
}

/**
 * A list of applications with the actions of the viewer's part in the workflow: the bureau passes or returns, the
 * provider approves (choosing fields and which of them raw) or refuses, the applicant reports usage.
 */
export function ApplicationsTable({
  items,
  loading,
  mode,
}: {
  items: Application[];
  loading?: boolean;
  mode: ApplicationsMode;
}) {
  const { t } = useI18n();
  const deptName = useDepartmentName();
  const resources = useResourceNames(items.map((a) => a.resourceId));
  const [open, setOpen] = useState<string | null>(null);
  const [answering, setAnswering] = useState<Application | null>(null);
  const [reviewing, setReviewing] = useState<Application | null>(null);
  const [reporting, setReporting] = useState<Application | null>(null);
  const [resubmitting, setResubmitting] = useState<Application | null>(null);
  const { data: me } = useMe();
  return (
    <>
      <Table<Application>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={items}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('apply.none')} /> }}
        columns={[
          {
            title: t('apply.resource'),
            render: (_x, a) => (
              <Link to={`/datasets/${a.resourceId}`}>
                {resources.get(a.resourceId)?.name ?? a.resourceId.slice(0, 8)}
              </Link>
            ),
          },
          { title: t('apply.kind'), render: (_x, a) => t(a.kind === 'share' ? 'apply.kindShare' : 'apply.kindOpen') },
          ...(mode === 'mine'
            ? []
            : [
                {
                  title: t('apply.applicant'),
                  render: (_x: unknown, a: Application) =>
                    a.applicantDepartmentId ? deptName(a.applicantDepartmentId) : (a.form.organisation ?? '—'),
                },
              ]),
          { title: t('apply.fields'), render: (_x, a) => a.fields.join('、') },
          { title: t('common.status'), render: (_x, a) => <StateTag state={a.state} /> },
          { title: t('apply.due'), render: (_x, a) => <SlaCountdown due={dueOf(a)} /> },
          { title: t('apply.filedAt'), render: (_x, a) => a.createdAt.replace('T', ' ').slice(0, 16) },
          {
            title: t('common.actions'),
            render: (_x, a) => (
              <Space wrap>
                <Button size="small" onClick={() => setOpen(a.id)}>
                  {t('apply.details')}
                </Button>
                {mode === 'bureau' && a.state === 'pending_bureau' && (
                  <Button size="small" type="primary" onClick={() => setReviewing(a)} data-testid="app-review">
                    {t('apply.review')}
                  </Button>
                )}
                {mode === 'provider' && a.state === 'pending_provider' && (
                  <Button size="small" type="primary" onClick={() => setAnswering(a)} data-testid="app-answer">
                    {t('apply.answer')}
                  </Button>
                )}
                {mode === 'mine' && a.state === 'returned' && a.applicantId === me?.id && (
                  <Button size="small" type="primary" onClick={() => setResubmitting(a)} data-testid="app-resubmit-row">
                    {t('apply.resubmit')}
                  </Button>
                )}
                {mode === 'mine' && ['approved', 'delivered', 'expired'].includes(a.state) && (
                  <Button size="small" onClick={() => setReporting(a)} data-testid="app-usage">
                    {t('apply.usageReport')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <ApplicationDrawer id={open} onClose={() => setOpen(null)} />
      {answering && <AnswerDialog app={answering} onClose={() => setAnswering(null)} />}
      {reviewing && <ReviewDialog app={reviewing} onClose={() => setReviewing(null)} />}
      {reporting && <UsageDialog app={reporting} onClose={() => setReporting(null)} />}
      {resubmitting && <ResubmitDialog app={resubmitting} onClose={() => setResubmitting(null)} />}
    </>
  );
}

function ApplicationDrawer({ id, onClose }: { id: string | null; onClose(): void }) {
  const { t, tx } = useI18n();
  const q = useQuery({
    queryKey: ['application', id],
    queryFn: () => get<ApplicationDetail>(`/api/v1/applications/${id}`),
    enabled: id !== null,
  });
  const a = q.data;
  return (
    <Drawer open={id !== null} onClose={onClose} size={560} title={t('apply.details')}>
      {q.isLoading && <Loading />}
      {q.error ? <ErrorAlert error={q.error} /> : null}
      {a && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large">
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              { key: 's', label: t('common.status'), children: <StateTag state={a.state} /> },
              { key: 'p', label: t('apply.purpose'), children: a.purpose },
              { key: 'sc', label: t('apply.scenario'), children: a.scenario },
              { key: 'f', label: t('apply.fields'), children: a.fields.join('、') },
              {
                key: 'per',
                label: t('apply.period'),
                children: `${localDay(a.periodFrom)} — ${lastLocalDay(a.periodTo)}`,
              },
              ...(a.returnReason ? [{ key: 'rr', label: t('apply.returnReason'), children: a.returnReason }] : []),
              ...(a.refusalReason ? [{ key: 'rf', label: t('apply.refusalReason'), children: a.refusalReason }] : []),
              ...Object.entries(a.form).map(([k, v]) => ({
                key: `form-${k}`,
                label: tx(`apply.${k}`, k),
                children: v,
              })),
            ]}
          />
          <div>
            <Typography.Title level={3} style={{ fontSize: 14 }}>
              {t('apply.events')}
            </Typography.Title>
            <Timeline
              items={a.events.map((e, i) => ({
                key: i,
                content: (
                  <div>
                    <strong>{tx(`app.event.${e.action}`, e.action)}</strong>{' '}
                    <span style={{ color: '#595959' }}>{e.at.replace('T', ' ').slice(0, 16)}</span>
                    {e.note && <div>{e.note}</div>}
                  </div>
                ),
              }))}
            />
          </div>
          {a.usageReports.length > 0 && (
            <div>
              <Typography.Title level={3} style={{ fontSize: 14 }}>
                {t('apply.usageReports')}
              </Typography.Title>
              {a.usageReports.map((u) => (
                <Typography.Paragraph key={u.id}>
                  <span style={{ color: '#595959' }}>{u.createdAt.slice(0, 10)}</span> {u.text}
                </Typography.Paragraph>
              ))}
            </div>
          )}
        </Space>
      )}
    </Drawer>
  );
}

function useRefresh() {
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: ['applications'] });
    await qc.invalidateQueries({ queryKey: ['application'] });
  };
}

/** The provider's answer: the granted fields, which of them are delivered raw, until when; or a refusal. */
function AnswerDialog({ app, onClose }: { app: Application; onClose(): void }) {
  const { t } = useI18n();
  const refresh = useRefresh();
  const [form] = Form.useForm<{ fields: string[]; unmasked: string[]; validTo: string; reason?: string }>();
  const [decision, setDecision] = useState<'approve' | 'refuse'>('approve');
  const fields = Form.useWatch('fields', form) ?? app.fields;
  const answer = useMutation({
    mutationFn: (v: { fields: string[]; unmasked: string[]; validTo: string; reason?: string }) =>
      post(
        `/api/v1/applications/${app.id}/answer`,
        decision === 'approve'
          ? {
              decision,
              fields: v.fields,
              unmaskedFields: (v.unmasked ?? []).filter((f) => v.fields.includes(f)),
              validTo: v.validTo,
              ...(v.reason ? { reason: v.reason } : {}),
            }
          : { decision, reason: v.reason },
      ),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
  });
  return (
    <Modal open title={t('apply.answer')} onCancel={onClose} footer={null} destroyOnHidden>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ fields: app.fields, unmasked: [], validTo: app.periodTo.slice(0, 10) }}
        onFinish={(v) => answer.mutate(v)}
      >
        <Space style={{ marginBottom: 16 }}>
          <Button type={decision === 'approve' ? 'primary' : 'default'} onClick={() => setDecision('approve')}>
            {t('apply.approve')}
          </Button>
          <Button
            danger={decision === 'refuse'}
            type={decision === 'refuse' ? 'primary' : 'default'}
            onClick={() => setDecision('refuse')}
            data-testid="app-refuse"
          >
            {t('apply.refuse')}
          </Button>
        </Space>
        {decision === 'approve' ? (
          <>
            <Form.Item name="fields" label={t('apply.grantFields')} rules={[atLeastOne(t('apply.fieldsRequired'))]}>
              <Checkbox.Group options={app.fields.map((f) => ({ value: f, label: f }))} />
            </Form.Item>
            <Form.Item name="unmasked" label={t('apply.unmaskedFields')} extra={t('apply.unmaskedHint')}>
              <Checkbox.Group options={fields.map((f) => ({ value: f, label: f }))} />
            </Form.Item>
            <Form.Item name="validTo" label={t('apply.validTo')} rules={[{ required: true }]}>
              <Input type="date" />
            </Form.Item>
          </>
        ) : null}
        <Form.Item
          name="reason"
          label={t('apply.reason')}
          rules={decision === 'refuse' ? [{ required: true, message: t('apply.reasonRequired') }] : []}
        >
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        {answer.error ? <ErrorAlert error={answer.error} /> : null}
        <Button type="primary" htmlType="submit" loading={answer.isPending} data-testid="app-answer-submit">
          {decision === 'approve' ? t('apply.approve') : t('apply.refuse')}
        </Button>
      </Form>
    </Modal>
  );
}

/** The bureau's conformity review: pass to the provider or return with a reason. */
function ReviewDialog({ app, onClose }: { app: Application; onClose(): void }) {
  const { t } = useI18n();
  const refresh = useRefresh();
  const [reason, setReason] = useState('');
  const review = useMutation({
    mutationFn: (decision: 'pass' | 'return') =>
      post(`/api/v1/applications/${app.id}/review`, { decision, ...(reason.trim() ? { reason } : {}) }),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
  });
  return (
    <Modal open title={t('apply.review')} onCancel={onClose} footer={null} destroyOnHidden>
      <Typography.Paragraph>
        {t('apply.purpose')}: {app.purpose}
      </Typography.Paragraph>
      <Typography.Paragraph>
        {t('apply.scenario')}: {app.scenario}
      </Typography.Paragraph>
      <label htmlFor="cd-review-reason">{t('apply.reason')}</label>
      <Input.TextArea id="cd-review-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      {review.error ? <ErrorAlert error={review.error} /> : null}
      <Space style={{ marginTop: 12 }}>
        <Button type="primary" loading={review.isPending} onClick={() => review.mutate('pass')} data-testid="app-pass">
          {t('apply.pass')}
        </Button>
        <Button disabled={!reason.trim()} onClick={() => review.mutate('return')}>
          {t('apply.return')}
        </Button>
      </Space>
    </Modal>
  );
}

/** The applicant's report of how the data was used (利用情况). */
function UsageDialog({ app, onClose }: { app: Application; onClose(): void }) {
  const { t } = useI18n();
  const refresh = useRefresh();
  const [text, setText] = useState('');
  const [link, setLink] = useState('');
  const report = useMutation({
    mutationFn: () =>
      post(`/api/v1/applications/${app.id}/usage-reports`, { text, links: link.trim() ? [link.trim()] : [] }),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('apply.usageReport')}
      onCancel={onClose}
      onOk={() => report.mutate()}
      okButtonProps={{ disabled: !text.trim(), loading: report.isPending }}
      destroyOnHidden
    >
      <label htmlFor="cd-usage-text">{t('apply.usageText')}</label>
      <Input.TextArea id="cd-usage-text" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
      <label htmlFor="cd-usage-link" style={{ display: 'block', marginTop: 8 }}>
        {t('apply.usageLink')}
      </label>
      <Input id="cd-usage-link" value={link} onChange={(e) => setLink(e.target.value)} />
      {report.error ? <ErrorAlert error={report.error} /> : null}
    </Modal>
  );
}
