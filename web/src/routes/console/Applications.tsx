import { Tabs, Typography } from 'antd';
import { useMe } from '../../api/hooks.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { ApplicationsTable, useApplications } from '../../features/exchange/Applications.tsx';
import { ReturnedApplications } from '../../features/exchange/ResubmitDialog.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** Applications for my department's data (to answer, with their SLA) and those my department filed. */
export default function Applications() {
  const { t } = useI18n();
  const { data: me } = useMe();
  const q = useApplications();
  const all = q.data ?? [];
  const dept = me?.departmentId ?? null;
  const incoming = all.filter((a) => a.providerId === dept);
  const outgoing = all.filter((a) => a.applicantId === me?.id || (dept !== null && a.applicantDepartmentId === dept));
  const waiting = incoming.filter((a) => a.state === 'pending_provider').length;
  const returned = outgoing.filter((a) => a.state === 'returned' && a.applicantId === me?.id).length;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('console.applications')}
      </Typography.Title>
      {q.error ? <ErrorAlert error={q.error} /> : null}
      <Tabs
        items={[
          {
            key: 'incoming',
            label: `${t('apply.incoming')}${waiting ? ` (${waiting})` : ''}`,
            children: <ApplicationsTable items={incoming} loading={q.isLoading} mode="provider" />,
          },
          {
            key: 'outgoing',
            label: `${t('apply.outgoing')}${returned ? ` (${t('apply.returnedCount', { n: returned })})` : ''}`,
            children: (
              <>
                <ReturnedApplications items={outgoing} userId={me?.id} />
                <ApplicationsTable items={outgoing} loading={q.isLoading} mode="mine" />
              </>
            ),
          },
        ]}
      />
    </>
  );
}
