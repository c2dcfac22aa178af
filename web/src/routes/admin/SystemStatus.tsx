import { useQuery } from '@tanstack/react-query';
import { Badge, Card, Col, Descriptions, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { get } from '../../api/client.ts';
import type { JobView, SystemStatus as Status } from '../../api/types.ts';
import { QueryState } from '../../components/Status.tsx';
import { useJobErrorText } from '../../features/loads/JobError.tsx';
import { useI18n } from '../../i18n/index.tsx';

const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
const STATE_COLOUR: Record<string, string> = {
  queued: 'default',
  running: 'processing',
  succeeded: 'success',
  failed: 'error',
  cancelled: 'warning',
};

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function duration(s: number): string {
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

/** GET /api/v1/system/status, refreshed every 10 s: jobs by state, recent jobs, storage and engines. */
export default function SystemStatus() {
  const { t, tx } = useI18n();
  const jobErrorText = useJobErrorText();
  const q = useQuery({
    queryKey: ['system-status'],
    queryFn: () => get<Status>('/api/v1/system/status'),
    refetchInterval: 10_000,
  });
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('admin.system')}
      </Typography.Title>
      <QueryState query={q}>
        {(s) => (
          <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="system-status">
            <Row gutter={[16, 16]}>
              {JOB_STATES.map((st) => (
                <Col xs={12} md={4} key={st}>
                  <Card size="small">
                    <Statistic title={tx(`job.${st}`, st)} value={s.jobs[st] ?? 0} />
                  </Card>
                </Col>
              ))}
              <Col xs={12} md={4}>
                <Card size="small">
                  <Statistic title={t('system.searchDocs')} value={s.searchIndex.documents} />
                </Card>
              </Col>
            </Row>
            <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('system.platform')}</h2>}>
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2 }}
                items={[
                  {
                    key: 'engine',
                    label: t('system.engine'),
                    children: (
                      <Badge
                        status={s.dataEngine.ok ? 'success' : 'error'}
                        text={`DuckDB ${s.dataEngine.version ?? ''} ${s.dataEngine.error ?? ''}`}
                      />
                    ),
                  },
                  { key: 'store', label: t('system.store'), children: s.metadataStore.dialect },
                  { key: 'versions', label: t('system.versions'), children: s.storage.versions.toLocaleString() },
                  { key: 'bytes', label: t('system.storage'), children: formatBytes(s.storage.bytes) },
                  { key: 'dir', label: t('system.dataDir'), children: <code>{s.storage.dataDir}</code> },
                  { key: 'uptime', label: t('system.uptime'), children: duration(s.uptimeSeconds) },
                  { key: 'rss', label: t('system.memory'), children: formatBytes(s.memory.rss) },
                ]}
              />
            </Card>
            <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('system.recentJobs')}</h2>}>
              <Table<JobView>
                size="small"
                rowKey="id"
                dataSource={s.recentJobs}
                pagination={false}
                scroll={{ x: 'max-content' }}
                columns={[
                  { title: t('system.jobKind'), dataIndex: 'kind' },
                  {
                    title: t('common.status'),
                    render: (_x, j) => <Tag color={STATE_COLOUR[j.state]}>{tx(`job.${j.state}`, j.state)}</Tag>,
                  },
                  {
                    title: t('system.jobResource'),
                    render: (_x, j) => (j.resourceId ? <code>{j.resourceId.slice(0, 8)}</code> : '—'),
                  },
                  { title: t('system.jobCreated'), render: (_x, j) => j.createdAt.replace('T', ' ').slice(0, 19) },
                  {
                    title: t('system.jobFinished'),
                    render: (_x, j) => j.finishedAt?.replace('T', ' ').slice(0, 19) ?? '—',
                  },
                  { title: t('system.jobError'), render: (_x, j) => (j.error ? jobErrorText(j.error) : '') },
                ]}
              />
            </Card>
          </Space>
        )}
      </QueryState>
    </>
  );
}
