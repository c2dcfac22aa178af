import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Input, Modal, Space, Tabs, Typography, message } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { del, get, post } from '../../api/client.ts';
import type { Resource } from '../../api/types.ts';
import { StatusTag } from '../../components/ResourceList.tsx';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { HistoryList, VersionsList } from '../../features/dataset/History.tsx';
import { FieldTable, MetadataView } from '../../features/dataset/Metadata.tsx';
import { QualityPanel } from '../../features/quality/QualityPanel.tsx';
import { RulesPanel } from '../../features/quality/RulesPanel.tsx';
import { useMe } from '../../api/hooks.ts';
import { useI18n } from '../../i18n/index.tsx';
import { DataUpload } from './Upload.tsx';

export default function ResourceDetail() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [msg, holder] = message.useMessage();
  const [withdrawOpen, setWithdrawOpen] = useState(false);
  const [reason, setReason] = useState('');
  const { data: me } = useMe();
  const [search] = useSearchParams();
  const q = useQuery({ queryKey: ['resource', id], queryFn: () => get<Resource>(`/api/v1/resources/${id}`) });
  const refresh = async (r: Resource) => {
    qc.setQueryData(['resource', id], r);
    await qc.invalidateQueries({ queryKey: ['resources'] });
    await qc.invalidateQueries({ queryKey: ['history', id] });
  };
  const submit = useMutation({
    mutationFn: () => post<Resource>(`/api/v1/resources/${id}/submit`),
    onSuccess: async (r) => {
      await refresh(r);
      void msg.success(t('console.submitted'));
    },
  });
  const withdraw = useMutation({
    mutationFn: () => post<Resource>(`/api/v1/resources/${id}/withdraw`, { reason }),
    onSuccess: async (r) => {
      setWithdrawOpen(false);
      await refresh(r);
    },
  });
  const remove = useMutation({
    mutationFn: () => del(`/api/v1/resources/${id}`),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['resources'] });
      await navigate('/console');
    },
  });
  if (q.isLoading) return <Loading />;
  if (q.error || !q.data) return <ErrorAlert error={q.error} />;
  const r = q.data;
  const editable = r.status === 'draft' || r.status === 'returned';
  const actionError = submit.error ?? withdraw.error ?? remove.error;
  return (
    <>
      {holder}
      <Space style={{ width: '100%', justifyContent: 'space-between', flexWrap: 'wrap' }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {r.name} <StatusTag status={r.status} />
        </Typography.Title>
        <Space wrap>
          {editable && (
            <Button onClick={() => void navigate(`/console/resources/${id}/edit`)} data-testid="edit-resource">
              {t('common.edit')}
            </Button>
          )}
          {editable && (
            <Button
              type="primary"
              loading={submit.isPending}
              onClick={() => submit.mutate()}
              data-testid="submit-resource"
            >
              {t('console.submit')}
            </Button>
          )}
          {r.status === 'published' && <Button onClick={() => setWithdrawOpen(true)}>{t('console.withdraw')}</Button>}
          {r.status === 'draft' && !r.publishedAt && (
            <Button danger onClick={() => remove.mutate()}>
              {t('console.delete')}
            </Button>
          )}
          {r.status === 'published' && <Link to={`/datasets/${r.id}`}>{t('console.view')}</Link>}
        </Space>
      </Space>
      {r.status === 'returned' && r.returnReason && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 12 }}
          title={`${t('console.returnReason')}: ${r.returnReason}`}
        />
      )}
      {actionError ? (
        <div style={{ marginTop: 12 }}>
          <ErrorAlert error={actionError} />
        </div>
      ) : null}
      <Card style={{ marginTop: 16 }}>
        <Tabs
          defaultActiveKey={search.get('tab') ?? 'meta'}
          items={[
            {
              key: 'meta',
              label: t('dataset.metadata'),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  <MetadataView r={r} />
                  <Typography.Title level={2} style={{ fontSize: 16 }}>
                    {t('meta.fields')}
                  </Typography.Title>
                  <FieldTable fields={r.fields} />
                </Space>
              ),
            },
            { key: 'upload', label: t('console.upload'), children: <DataUpload resourceId={r.id} /> },
            {
              key: 'versions',
              label: t('dataset.versions'),
              children: <VersionsList resourceId={r.id} manage />,
            },
            {
              key: 'quality',
              label: t('dataset.quality'),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }} size="large">
                  <QualityPanel resourceId={r.id} manage />
                  {me && ['platform_admin', 'reviewer', 'dept_admin', 'steward'].includes(me.role) && (
                    <div>
                      <Typography.Title level={2} style={{ fontSize: 16 }}>
                        {t('rules.title')}
                      </Typography.Title>
                      <RulesPanel resource={r} />
                    </div>
                  )}
                </Space>
              ),
            },
            { key: 'history', label: t('dataset.history'), children: <HistoryList resourceId={r.id} /> },
          ]}
        />
      </Card>
      <Modal
        open={withdrawOpen}
        title={t('console.withdraw')}
        onCancel={() => setWithdrawOpen(false)}
        onOk={() => withdraw.mutate()}
        okButtonProps={{ disabled: !reason.trim(), loading: withdraw.isPending }}
      >
        <label htmlFor="cd-withdraw-reason">{t('console.withdrawReason')}</label>
        <Input.TextArea id="cd-withdraw-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Modal>
    </>
  );
}
