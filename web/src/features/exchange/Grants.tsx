import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Drawer, Empty, Input, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, get, getOptional, post } from '../../api/client.ts';
import { useDepartmentName, useMe } from '../../api/hooks.ts';
import type { Resource } from '../../api/types.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';
import {
  grantStatus,
  lastLocalDay,
  localDay,
  localTime,
  type Application,
  type Delivery,
  type DeliveryRun,
  type ExchangeLogEntry,
  type Grant,
  type GrantStatus,
} from './api.ts';

/**
 * Grants seen from either side: the holder (a public user, or a department) sees the period and takes file or
 * scheduled deliveries; the provider (and platform admins) revoke or renew them.
 */
export type GrantsMode = 'holder' | 'provider';

const STATUS_COLOUR: Record<GrantStatus, string> = {
  active: 'success',
  upcoming: 'processing',
  revoked: 'error',
  ended: 'default',
};

export function useGrants(enabled = true) {
  return useQuery({
    queryKey: ['grants'],
    queryFn: () => get<Grant[]>('/api/v1/grants', { limit: 1000 }),
    enabled,
  });
}

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

export function GrantStatusTag({ grant }: { grant: Grant }) {
  const { t } = useI18n();
  const s = grantStatus(grant);
  return (
    <Tag color={STATUS_COLOUR[s]} data-testid="grant-status">
      {t(`grant.status.${s}` as const)}
    </Tag>
  );
}

/** "2026-01-01 — 2026-12-31" in local days (validTo is the exclusive end). */
export function grantPeriod(g: Grant): string {
  return `${localDay(g.validFrom)} — ${lastLocalDay(g.validTo)}`;
}

export function GrantsTable({ items, loading, mode }: { items: Grant[]; loading?: boolean; mode: GrantsMode }) {
  const { t } = useI18n();
  const deptName = useDepartmentName();
  const resources = useResourceNames(items.map((g) => g.resourceId));
  // The provider names a public grantee by the organisation given in the application.
  const apps = useQuery({
    queryKey: ['applications', {}],
    queryFn: () => get<Application[]>('/api/v1/applications', { limit: 200 }),
    enabled: mode === 'provider' && items.some((g) => g.granteeUserId !== null),
  });
  const appById = new Map((apps.data ?? []).map((a) => [a.id, a]));
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const [renewing, setRenewing] = useState<Grant | null>(null);
  const [delivering, setDelivering] = useState<Grant | null>(null);
  const grantee = (g: Grant) => {
    if (g.granteeDepartmentId) return deptName(g.granteeDepartmentId);
    const org = g.applicationId ? appById.get(g.applicationId)?.form.organisation : undefined;
    return org ? `${org}（${t('grant.publicUser')}）` : t('grant.publicUser');
  };
  return (
    <>
      <Table<Grant>
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={items}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('grant.none')} /> }}
        columns={[
          {
            title: t('apply.resource'),
            render: (_x, g) => (
              <Link to={`/datasets/${g.resourceId}`}>
                {resources.get(g.resourceId)?.name ?? g.resourceId.slice(0, 8)}
              </Link>
            ),
          },
          ...(mode === 'provider'
            ? [{ title: t('grant.grantee'), render: (_x: unknown, g: Grant) => grantee(g) }]
            : [{ title: t('meta.provider'), render: (_x: unknown, g: Grant) => deptName(g.providerId) }]),
          {
            title: t('apply.grantFields'),
            render: (_x, g) => (
              <span>
                {g.fields.map((f, i) => (
                  <span key={f}>
                    {i > 0 ? '、' : ''}
                    {f}
                    {g.unmaskedFields.includes(f) ? <sup title={t('grant.rawHint')}>{t('grant.raw')}</sup> : null}
                  </span>
                ))}
              </span>
            ),
          },
          { title: t('grant.period'), render: (_x, g) => <span data-testid="grant-period">{grantPeriod(g)}</span> },
          {
            title: t('common.status'),
            render: (_x, g) => (
              <Space orientation="vertical" size={0}>
                <GrantStatusTag grant={g} />
                {g.revokeReason ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('grant.revokeReason')}: {g.revokeReason}
                  </Typography.Text>
                ) : null}
                {g.renewedFrom ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('grant.renewal')}
                  </Typography.Text>
                ) : null}
              </Space>
            ),
          },
          {
            title: t('common.actions'),
            render: (_x, g) => {
              const s = grantStatus(g);
              const name = resources.get(g.resourceId)?.name ?? '';
              return (
                <Space wrap>
                  {mode === 'holder' && s === 'active' && (
                    <>
                      <Button
                        size="small"
                        href={`/api/v1/grants/${g.id}/export?format=csv&encoding=utf8-bom`}
                        download
                        aria-label={`${t('grant.exportCsv')} ${name}`}
                        data-testid="grant-export-csv"
                      >
                        {t('grant.exportCsv')}
                      </Button>
                      <Button
                        size="small"
                        href={`/api/v1/grants/${g.id}/export?format=xlsx`}
                        download
                        aria-label={`${t('grant.exportXlsx')} ${name}`}
                      >
                        {t('grant.exportXlsx')}
                      </Button>
                    </>
                  )}
                  <Button size="small" onClick={() => setDelivering(g)} data-testid="grant-deliveries">
                    {t('grant.deliveries')}
                  </Button>
                  {mode === 'provider' && s !== 'revoked' && (
                    <Button size="small" onClick={() => setRenewing(g)} data-testid="grant-renew">
                      {t('grant.renew')}
                    </Button>
                  )}
                  {mode === 'provider' && (s === 'active' || s === 'upcoming') && (
                    <Button size="small" danger onClick={() => setRevoking(g)} data-testid="grant-revoke">
                      {t('grant.revoke')}
                    </Button>
                  )}
                </Space>
              );
            },
          },
        ]}
      />
      {revoking && <RevokeDialog grant={revoking} onClose={() => setRevoking(null)} />}
      {renewing && <RenewDialog grant={renewing} onClose={() => setRenewing(null)} />}
      <DeliveriesDrawer grant={delivering} mode={mode} onClose={() => setDelivering(null)} />
    </>
  );
}

function useRefreshGrants() {
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: ['grants'] });
    await qc.invalidateQueries({ queryKey: ['applications'] });
    await qc.invalidateQueries({ queryKey: ['application'] });
  };
}

/** Revocation ends the grant at once: the holder's next read is refused. A reason is required and is sent on. */
function RevokeDialog({ grant, onClose }: { grant: Grant; onClose(): void }) {
  const { t } = useI18n();
  const refresh = useRefreshGrants();
  const [reason, setReason] = useState('');
  const revoke = useMutation({
    mutationFn: () => post<Grant>(`/api/v1/grants/${grant.id}/revoke`, { reason: reason.trim() }),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('grant.revoke')}
      onCancel={onClose}
      onOk={() => revoke.mutate()}
      okText={t('grant.revokeConfirm')}
      okButtonProps={{ danger: true, disabled: !reason.trim(), loading: revoke.isPending }}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('grant.revokeIntro')}</Typography.Paragraph>
      <label htmlFor="cd-revoke-reason">{t('grant.revokeReason')}</label>
      <Input.TextArea
        id="cd-revoke-reason"
        rows={3}
        maxLength={2000}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      {revoke.error ? <ErrorAlert error={revoke.error} /> : null}
    </Modal>
  );
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Renewal: a new period with the same scope, starting when this one ends (or today, when it has ended). */
function RenewDialog({ grant, onClose }: { grant: Grant; onClose(): void }) {
  const { t } = useI18n();
  const refresh = useRefreshGrants();
  const last = lastLocalDay(grant.validTo);
  const today = localDay(new Date().toISOString());
  const base = last > today ? last : today;
  const [validTo, setValidTo] = useState(addDays(base, 365));
  const renew = useMutation({
    mutationFn: () => post<Grant>(`/api/v1/grants/${grant.id}/renew`, { validTo }),
    onSuccess: async () => {
      await refresh();
      onClose();
    },
  });
  return (
    <Modal
      open
      title={t('grant.renew')}
      onCancel={onClose}
      onOk={() => renew.mutate()}
      okText={t('grant.renew')}
      okButtonProps={{ disabled: !validTo || validTo <= base, loading: renew.isPending }}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('grant.renewIntro', { period: grantPeriod(grant) })}</Typography.Paragraph>
      <label htmlFor="cd-renew-to">{t('grant.renewTo')}</label>
      <Input
        id="cd-renew-to"
        type="date"
        min={addDays(base, 1)}
        value={validTo}
        onChange={(e) => setValidTo(e.target.value)}
      />
      {renew.error ? <ErrorAlert error={renew.error} /> : null}
    </Modal>
  );
}

interface LogPage {
  entries: ExchangeLogEntry[];
}

/**
 * The scheduled table deliveries of one grant. The holder sets up a drop folder (daily or on demand) and delivers
 * now; each run is an exchange-log line (channel "delivery"), which the provider and admins see as the run history.
 */
function DeliveriesDrawer({ grant, mode, onClose }: { grant: Grant | null; mode: GrantsMode; onClose(): void }) {
  const { t, tx } = useI18n();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const id = grant?.id ?? '';
  const [schedule, setSchedule] = useState<'daily' | 'manual'>('daily');
  const [lastRun, setLastRun] = useState<DeliveryRun | null>(null);
  const list = useQuery({
    queryKey: ['deliveries', id],
    queryFn: () => get<Delivery[]>(`/api/v1/grants/${id}/deliveries`),
    enabled: grant !== null,
  });
  // The run history: delivery reads of this grant in the exchange log (providers and admins may read it).
  const runs = useQuery({
    queryKey: ['delivery-runs', id],
    queryFn: async () => {
      try {
        const page = await getOptional<LogPage>('/api/v1/exchange-log', { resourceId: grant?.resourceId, limit: 500 });
        return (page?.entries ?? []).filter((e) => e.grantId === id && e.channel === 'delivery');
      } catch (e) {
        if (e instanceof ApiError && e.status === 403) return null;
        throw e;
      }
    },
    enabled: grant !== null,
  });
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['deliveries', id] });
    await qc.invalidateQueries({ queryKey: ['delivery-runs', id] });
  };
  const create = useMutation({
    mutationFn: () => post<Delivery>(`/api/v1/grants/${id}/deliveries`, { schedule }),
    onSuccess: refresh,
  });
  const run = useMutation({
    mutationFn: (deliveryId: string) => post<DeliveryRun>(`/api/v1/deliveries/${deliveryId}/run`),
    onSuccess: async (r) => {
      setLastRun(r);
      await refresh();
    },
    onError: refresh,
  });
  const close = () => {
    setLastRun(null);
    create.reset();
    run.reset();
    onClose();
  };
  const active = grant !== null && grantStatus(grant) === 'active';
  const canRun = mode === 'holder' || me?.role === 'platform_admin';
  const deliveries = list.data ?? [];
  const hasFolder = deliveries.some((d) => d.kind === 'drop_folder');
  return (
    <Drawer open={grant !== null} onClose={close} size={560} title={t('grant.deliveries')}>
      {grant && (
        <Space orientation="vertical" style={{ width: '100%' }} size="large" data-testid="deliveries">
          <Typography.Paragraph type="secondary">{t('grant.deliveriesIntro')}</Typography.Paragraph>
          {list.isLoading && <Loading />}
          {list.error ? <ErrorAlert error={list.error} /> : null}
          {list.data && deliveries.length === 0 && <Empty description={t('grant.noDeliveries')} />}
          {deliveries.map((d) => (
            <div key={d.id}>
              <Descriptions
                size="small"
                column={1}
                bordered
                items={[
                  { key: 'k', label: t('grant.deliveryKind'), children: tx(`grant.kind.${d.kind}`, d.kind) },
                  { key: 's', label: t('grant.schedule'), children: tx(`grant.schedule.${d.schedule}`, d.schedule) },
                  ...(d.targetPath
                    ? [{ key: 'p', label: t('grant.target'), children: <code>{d.targetPath}</code> }]
                    : []),
                  { key: 'r', label: t('grant.lastRun'), children: localTime(d.lastRunAt) },
                  {
                    key: 'st',
                    label: t('common.status'),
                    children: d.lastStatus ? (
                      <Tag color={d.lastStatus === 'ok' ? 'success' : 'error'} data-testid="delivery-status">
                        {tx(`grant.run.${d.lastStatus}`, d.lastStatus)}
                      </Tag>
                    ) : (
                      t('grant.notRun')
                    ),
                  },
                  ...(d.lastError ? [{ key: 'e', label: t('system.jobError'), children: d.lastError }] : []),
                ]}
              />
              {canRun && (
                <Button
                  style={{ marginTop: 8 }}
                  type="primary"
                  loading={run.isPending}
                  onClick={() => run.mutate(d.id)}
                  data-testid="delivery-run"
                >
                  {t('grant.runNow')}
                </Button>
              )}
            </div>
          ))}
          {lastRun && (
            <Alert
              type="success"
              showIcon
              title={t('grant.delivered', { rows: lastRun.rows, files: lastRun.files.length })}
              description={
                <ul style={{ margin: 0, paddingLeft: 16 }}>
                  {lastRun.files.map((f) => (
                    <li key={f}>
                      <code>{f.split(/[\\/]/).pop()}</code>
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          {run.error ? <ErrorAlert error={run.error} /> : null}
          {mode === 'holder' && active && list.data && !hasFolder && (
            <fieldset style={{ border: '1px solid #d9d9d9', borderRadius: 6, padding: 12 }}>
              <legend style={{ fontSize: 14, width: 'auto', padding: '0 4px', margin: 0, border: 0 }}>
                {t('grant.newDropFolder')}
              </legend>
              <Radio.Group
                value={schedule}
                onChange={(e) => setSchedule(e.target.value as 'daily' | 'manual')}
                options={[
                  { value: 'daily', label: t('grant.schedule.daily') },
                  { value: 'manual', label: t('grant.schedule.manual') },
                ]}
              />
              <div style={{ marginTop: 8 }}>
                <Button onClick={() => create.mutate()} loading={create.isPending} data-testid="delivery-create">
                  {t('grant.createDropFolder')}
                </Button>
              </div>
              {create.error ? <ErrorAlert error={create.error} /> : null}
            </fieldset>
          )}
          {runs.data && (
            <div>
              <Typography.Title level={3} style={{ fontSize: 14 }}>
                {t('grant.runs')}
              </Typography.Title>
              <Table<ExchangeLogEntry>
                size="small"
                rowKey="id"
                dataSource={runs.data}
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                locale={{ emptyText: t('grant.noRuns') }}
                columns={[
                  { title: t('log.at'), render: (_x, e) => localTime(e.at) },
                  { title: t('log.rows'), render: (_x, e) => e.rows.toLocaleString() },
                  { title: t('grant.bytes'), render: (_x, e) => e.bytes.toLocaleString() },
                ]}
              />
            </div>
          )}
        </Space>
      )}
    </Drawer>
  );
}
