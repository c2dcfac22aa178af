import { Tabs, Typography } from 'antd';
import { ErrorAlert } from '../../components/Status.tsx';
import { ApplicationsTable, useApplications } from '../../features/exchange/Applications.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** The bureau's conformity review queue (合规性审核) with each application's SLA, and all applications. */
export default function ApplicationsReview() {
  const { t } = useI18n();
  const q = useApplications();
  const all = q.data ?? [];
  const pending = all.filter((a) => a.state === 'pending_bureau');
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('admin.applications')}
      </Typography.Title>
      {q.error ? <ErrorAlert error={q.error} /> : null}
      <Tabs
        items={[
          {
            key: 'pending',
            label: `${t('apply.pendingBureau')} (${pending.length})`,
            children: <ApplicationsTable items={pending} loading={q.isLoading} mode="bureau" />,
          },
          {
            key: 'all',
            label: t('common.all'),
            children: <ApplicationsTable items={all} loading={q.isLoading} mode="bureau" />,
          },
        ]}
      />
    </>
  );
}
