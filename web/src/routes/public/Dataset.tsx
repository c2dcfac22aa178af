import { useQuery } from '@tanstack/react-query';
import { Alert, Breadcrumb, Button, Card, Space, Tabs, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import { get } from '../../api/client.ts';
import { useLabel, useMe } from '../../api/hooks.ts';
import type { Resource } from '../../api/types.ts';
import { StatusTag } from '../../components/ResourceList.tsx';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { ApiTab, DownloadsTab } from '../../features/dataset/ApiTab.tsx';
import { HistoryList, VersionsList } from '../../features/dataset/History.tsx';
import { FieldTable, MetadataView } from '../../features/dataset/Metadata.tsx';
import { PreviewTab } from '../../features/dataset/Preview.tsx';
import { ApplyDialog, applicationKind } from '../../features/exchange/ApplyForm.tsx';
import { QualityBadge, QualityPanel } from '../../features/quality/QualityPanel.tsx';
import { useI18n } from '../../i18n/index.tsx';

// ECharts and Leaflet are large: loaded only when their tab is opened.
const ChartTab = lazy(() => import('../../features/dataset/ChartTab.tsx'));
const MapTab = lazy(() => import('../../features/dataset/MapTab.tsx'));

export default function Dataset() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const label = useLabel();
  const [tab, setTab] = useState('meta');
  const [applyOpen, setApplyOpen] = useState(false);
  const me = useMe();
  const q = useQuery({
    queryKey: ['resource', id],
    queryFn: () => get<Resource>(`/api/v1/resources/${encodeURIComponent(id)}`),
  });
  if (q.isLoading) return <Loading />;
  if (q.error || !q.data)
    return (
      <div className="cd-main">
        <ErrorAlert error={q.error} />
      </div>
    );
  const r = q.data;
  const name = lang === 'en' && r.nameEn ? r.nameEn : r.name;
  return (
    <div className="cd-main">
      <Breadcrumb
        items={[
          { title: <Link to="/">{t('nav.home')}</Link> },
          { title: <Link to="/datasets">{t('nav.catalogue')}</Link> },
          { title: name },
        ]}
      />
      <Space align="start" style={{ width: '100%', justifyContent: 'space-between', flexWrap: 'wrap', marginTop: 12 }}>
        <div>
          <Typography.Title level={1} style={{ fontSize: 24, marginBottom: 4 }} data-testid="dataset-title">
            {name}
          </Typography.Title>
          <Space wrap>
            {r.status !== 'published' && <StatusTag status={r.status} />}
            <span>{r.providerName}</span>
            <span>·</span>
            <span>{label('open_type', r.openType)}</span>
            <span>·</span>
            <span>{label('update_cycle', r.updateCycle)}</span>
            <QualityBadge resourceId={r.id} />
          </Space>
        </div>
        {applicationKind(r, me.data) !== null && (
          <Button type="primary" onClick={() => setApplyOpen(true)} data-testid="apply">
            {t('dataset.apply')}
          </Button>
        )}
      </Space>
      <Typography.Paragraph style={{ marginTop: 12 }}>{r.abstract}</Typography.Paragraph>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          destroyOnHidden
          items={[
            {
              key: 'meta',
              label: t('dataset.metadata'),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }} size="large">
                  <MetadataView r={r} />
                  <div>
                    <Typography.Title level={2} style={{ fontSize: 18 }}>
                      {t('meta.fields')}
                    </Typography.Title>
                    <FieldTable fields={r.fields} />
                  </div>
                </Space>
              ),
            },
            { key: 'preview', label: t('dataset.preview'), children: <PreviewTab resourceId={r.id} /> },
            {
              key: 'chart',
              label: t('dataset.chart'),
              children: (
                <Suspense fallback={<Loading />}>
                  <ChartTab resourceId={r.id} fields={r.fields} />
                </Suspense>
              ),
            },
            {
              key: 'map',
              label: t('dataset.map'),
              children: r.hasGeometry ? (
                <Suspense fallback={<Loading />}>
                  <MapTab resourceId={r.id} />
                </Suspense>
              ) : (
                <Alert type="info" title={t('dataset.noGeo')} />
              ),
            },
            { key: 'api', label: t('dataset.api'), children: <ApiTab resourceId={r.id} /> },
            {
              key: 'downloads',
              label: t('dataset.downloads'),
              children: <DownloadsTab resourceId={r.id} hasGeometry={r.hasGeometry} />,
            },
            { key: 'quality', label: t('dataset.quality'), children: <QualityPanel resourceId={r.id} /> },
            {
              key: 'versions',
              label: t('dataset.versions'),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  <VersionsList resourceId={r.id} />
                  <Typography.Title level={2} style={{ fontSize: 16 }}>
                    {t('dataset.history')}
                  </Typography.Title>
                  <HistoryList resourceId={r.id} />
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <ApplyDialog resource={r} open={applyOpen} onClose={() => setApplyOpen(false)} />
    </div>
  );
}
