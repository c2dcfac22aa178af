import { Tabs, Typography } from 'antd';
import { useMe } from '../../api/hooks.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { GrantsTable, useGrants } from '../../features/exchange/Grants.tsx';
import { grantStatus } from '../../features/exchange/api.ts';
import { useI18n } from '../../i18n/index.tsx';

/**
 * Grants on my department's data (revoke, renew, see deliveries) and grants my department holds (period, file export,
 * drop-folder deliveries). Platform admins see and manage every grant.
 */
export default function Grants() {
  const { t } = useI18n();
  const { data: me } = useMe();
  const q = useGrants();
  const all = q.data ?? [];
  const admin = me?.role === 'platform_admin';
  const dept = me?.departmentId ?? null;
  const provided = admin ? all : all.filter((g) => dept !== null && g.providerId === dept);
  const held = all.filter((g) => g.granteeUserId === me?.id || (dept !== null && g.granteeDepartmentId === dept));
  const activeCount = provided.filter((g) => grantStatus(g) === 'active').length;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('console.grants')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('grant.intro')}</Typography.Paragraph>
      {q.error ? <ErrorAlert error={q.error} /> : null}
      <Tabs
        items={[
          {
            key: 'provided',
            label: `${admin ? t('grant.all') : t('grant.provided')} (${activeCount})`,
            children: <GrantsTable items={provided} loading={q.isLoading} mode="provider" />,
          },
          {
            key: 'held',
            label: t('grant.held'),
            children: <GrantsTable items={held} loading={q.isLoading} mode="holder" />,
          },
        ]}
      />
    </>
  );
}
