import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Table, Tabs, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { get, getOptional } from '../../api/client.ts';
import { useLabel, useMe } from '../../api/hooks.ts';
import type { Page, Resource } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { DataElements } from '../../features/quality/DataElements.tsx';
import { scoreColour, useQuality } from '../../features/quality/QualityPanel.tsx';
import { useI18n } from '../../i18n/index.tsx';

interface Overdue {
  resourceId: string;
  name: string;
  updateCycle: string;
  lastUpdatedAt: string;
  dueAt: string;
  daysOverdue: number;
}

function Score({ id }: { id: string }) {
  const q = useQuality(id);
  const s = q.data?.latest;
  return s ? <Tag color={scoreColour(s.score)}>{s.score.toFixed(1)}</Tag> : <span>—</span>;
}

/** The quality of my department's data: latest score per resource, and datasets late against their update cycle. */
export default function QualityOverview() {
  const { t } = useI18n();
  const label = useLabel();
  const { data: me } = useMe();
  const dept = me?.role === 'platform_admin' || me?.role === 'reviewer' ? undefined : (me?.departmentId ?? undefined);
  const list = useQuery({
    queryKey: ['resources', 'quality', dept],
    queryFn: () => get<Page<Resource>>('/api/v1/resources', { providerId: dept, sort: 'updated', limit: 100 }),
  });
  const overdue = useQuery({
    queryKey: ['overdue', dept],
    queryFn: () => getOptional<Overdue[] | { items: Overdue[] }>('/api/v1/governance/overdue', { departmentId: dept }),
  });
  const late = Array.isArray(overdue.data) ? overdue.data : (overdue.data?.items ?? []);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('console.quality')}
      </Typography.Title>
      <Tabs
        items={[
          {
            key: 'scores',
            label: t('quality.scoresTab'),
            children: (
              <>
                {list.error ? <ErrorAlert error={list.error} /> : null}
                <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('quality.byResource')}</h2>}>
                  <Table<Resource>
                    size="small"
                    rowKey="id"
                    loading={list.isLoading}
                    dataSource={list.data?.items ?? []}
                    pagination={{ pageSize: 20, hideOnSinglePage: true }}
                    scroll={{ x: 'max-content' }}
                    columns={[
                      {
                        title: t('meta.name'),
                        render: (_x, r) => <Link to={`/console/resources/${r.id}?tab=quality`}>{r.name}</Link>,
                      },
                      { title: t('meta.updateCycle'), render: (_x, r) => label('update_cycle', r.updateCycle) },
                      { title: t('quality.score'), render: (_x, r) => <Score id={r.id} /> },
                    ]}
                  />
                </Card>
                <Card
                  size="small"
                  style={{ marginTop: 16 }}
                  title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('gov.overdue')}</h2>}
                >
                  {overdue.error ? <Alert type="info" title={t('common.empty')} /> : null}
                  <Table<Overdue>
                    size="small"
                    rowKey="resourceId"
                    loading={overdue.isLoading}
                    dataSource={late}
                    pagination={false}
                    locale={{ emptyText: t('quality.noneOverdue') }}
                    columns={[
                      {
                        title: t('meta.name'),
                        render: (_x, o) => <Link to={`/console/resources/${o.resourceId}`}>{o.name}</Link>,
                      },
                      { title: t('meta.updateCycle'), render: (_x, o) => label('update_cycle', o.updateCycle) },
                      { title: t('gov.lastUpdated'), render: (_x, o) => o.lastUpdatedAt.slice(0, 10) },
                      { title: t('gov.daysOverdue'), dataIndex: 'daysOverdue' },
                    ]}
                  />
                </Card>
              </>
            ),
          },
          { key: 'elements', label: t('elements.title'), children: <DataElements /> },
        ]}
      />
    </>
  );
}
