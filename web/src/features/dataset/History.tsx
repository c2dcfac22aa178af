import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Empty, Modal, Popconfirm, Space, Table, Timeline, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { ApiError, getOptional, post } from '../../api/client.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import type { Version } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

interface HistoryItem {
  id: number;
  action: string;
  reason: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
  at: string;
  actor: { id: string; username: string | null } | null;
}

const ACTIONS_ZH: Record<string, string> = {
  create: '创建',
  update: '修改',
  submit: '提交审核',
  publish: '发布',
  return: '退回',
  request_withdraw: '申请撤回',
  withdraw: '撤回',
  reject_withdraw: '驳回撤回申请',
};

export function HistoryList({ resourceId }: { resourceId: string }) {
  const { t, lang } = useI18n();
  const q = useQuery({
    queryKey: ['history', resourceId],
    queryFn: () => getOptional<HistoryItem[]>(`/api/v1/resources/${resourceId}/history`),
  });
  if (!q.data?.length) return <Empty description={t('common.empty')} />;
  return (
    <Timeline
      items={q.data.map((h) => ({
        key: h.id,
        content: (
          <div>
            <strong>{lang === 'zh' ? (ACTIONS_ZH[h.action] ?? h.action) : h.action}</strong>{' '}
            <span style={{ color: '#595959' }}>
              {h.at.replace('T', ' ').slice(0, 19)} {h.actor?.username ?? ''}
            </span>
            {h.reason && <div>{h.reason}</div>}
            {Object.keys(h.changes ?? {}).length > 0 && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {Object.keys(h.changes).join(', ')}
              </Typography.Text>
            )}
          </div>
        ),
      }))}
    />
  );
}

// The report view is console material: public pages never download it.
const LoadReportView = lazy(() => import('../loads/LoadReportView.tsx').then((m) => ({ default: m.LoadReportView })));

/** Versions of the data table; `manage` (the provider's console) adds roll-back and each load's report. */
export function VersionsList({ resourceId, manage = false }: { resourceId: string; manage?: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [reportJob, setReportJob] = useState<string | null>(null);
  // The version this list shows as current goes with the request: if a newer load landed meanwhile, the server
  // refuses (409 version_conflict) instead of undoing it unseen, and the list is read again.
  const rollback = useMutation({
    mutationFn: ({ versionId, expectedCurrent }: { versionId: string; expectedCurrent: string | undefined }) =>
      post(
        `/api/v1/resources/${resourceId}/versions/${versionId}/rollback` +
          (expectedCurrent ? `?expectedCurrent=${encodeURIComponent(expectedCurrent)}` : ''),
      ),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['versions', resourceId] });
      await qc.invalidateQueries({ queryKey: ['rows', resourceId] });
      await qc.invalidateQueries({ queryKey: ['quality', resourceId] });
    },
    onError: async (err) => {
      if (err instanceof ApiError && err.code === 'version_conflict')
        await qc.invalidateQueries({ queryKey: ['versions', resourceId] });
    },
  });
  const q = useQuery({
    queryKey: ['versions', resourceId],
    queryFn: async () => {
      try {
        return (await getOptional<Version[]>(`/api/v1/resources/${resourceId}/versions`)) ?? [];
      } catch {
        // Conditional data (403) or no data: no versions to show.
        return [];
      }
    },
  });
  if (!q.data?.length) return <Empty description={t('common.empty')} />;
  return (
    <>
      {rollback.error instanceof ApiError && rollback.error.code === 'version_conflict' ? (
        <Alert type="warning" showIcon title={t('version.conflict')} data-testid="rollback-conflict" />
      ) : rollback.error ? (
        <ErrorAlert error={rollback.error} />
      ) : null}
      <Table<Version>
        size="small"
        rowKey="id"
        dataSource={q.data}
        pagination={false}
        columns={[
          {
            title: t('version.number'),
            render: (_x, v) => (v.current ? <strong>v{v.version} ✓</strong> : `v${v.version}`),
          },
          { title: t('common.updated'), render: (_x, v) => v.createdAt.replace('T', ' ').slice(0, 19) },
          { title: t('version.rows'), render: (_x, v) => v.rows.toLocaleString() },
          { title: t('version.mode'), render: (_x, v) => v.mode ?? '' },
          { title: t('version.source'), render: (_x, v) => v.sourceName ?? '' },
          ...(manage
            ? [
                {
                  title: t('common.actions'),
                  render: (_x: unknown, v: Version) => (
                    <Space>
                      {v.jobId && (
                        <Button size="small" onClick={() => setReportJob(v.jobId ?? null)}>
                          {t('report.title')}
                        </Button>
                      )}
                      {!v.current && (
                        <Popconfirm
                          title={t('version.rollbackConfirm', { v: v.version })}
                          onConfirm={() =>
                            rollback.mutate({ versionId: v.id, expectedCurrent: q.data?.find((x) => x.current)?.id })
                          }
                        >
                          <Button size="small" loading={rollback.isPending} data-testid={`rollback-v${v.version}`}>
                            {t('version.rollback')}
                          </Button>
                        </Popconfirm>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={reportJob !== null}
        width={900}
        footer={null}
        title={t('report.title')}
        onCancel={() => setReportJob(null)}
        destroyOnHidden
      >
        {reportJob && (
          <Suspense fallback={<Loading />}>
            <LoadReportView jobId={reportJob} />
          </Suspense>
        )}
      </Modal>
    </>
  );
}
