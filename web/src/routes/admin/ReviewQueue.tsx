import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Drawer, Input, Modal, Space, Table, Typography, message } from 'antd';
import { useState } from 'react';
import { get, post } from '../../api/client.ts';
import { useLabel } from '../../api/hooks.ts';
import type { Page, Resource } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { FieldTable, MetadataView } from '../../features/dataset/Metadata.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** Resources pending review: approve (publish or withdraw, as requested) or return with a reason. */
export default function ReviewQueue() {
  const { t, tx } = useI18n();
  const label = useLabel();
  const qc = useQueryClient();
  const [msg, holder] = message.useMessage();
  const [viewing, setViewing] = useState<Resource | null>(null);
  const [returning, setReturning] = useState<Resource | null>(null);
  const [reason, setReason] = useState('');
  const queue = useQuery({
    queryKey: ['resources', 'review-queue'],
    queryFn: () => get<Page<Resource>>('/api/v1/resources', { status: 'pending_review', sort: 'updated', limit: 100 }),
  });
  const review = useMutation({
    mutationFn: (v: { id: string; decision: 'approve' | 'return'; reason?: string }) =>
      post<Resource>(`/api/v1/resources/${v.id}/review`, { decision: v.decision, reason: v.reason ?? null }),
    onSuccess: async (_r, v) => {
      void msg.success(v.decision === 'approve' ? t('admin.approved') : t('admin.returned'));
      setReturning(null);
      setReason('');
      setViewing(null);
      await qc.invalidateQueries({ queryKey: ['resources'] });
      await qc.invalidateQueries({ queryKey: ['search'] });
    },
  });
  return (
    <>
      {holder}
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('admin.review')}
      </Typography.Title>
      {queue.error ? <ErrorAlert error={queue.error} /> : null}
      {review.error ? <ErrorAlert error={review.error} /> : null}
      <Table<Resource>
        rowKey="id"
        loading={queue.isLoading}
        dataSource={queue.data?.items ?? []}
        locale={{ emptyText: t('admin.queueEmpty') }}
        scroll={{ x: 'max-content' }}
        pagination={false}
        columns={[
          {
            title: t('meta.name'),
            render: (_x, r) => (
              <Button type="link" style={{ padding: 0 }} onClick={() => setViewing(r)}>
                {r.name}
              </Button>
            ),
          },
          { title: t('meta.provider'), dataIndex: 'providerName' },
          {
            title: t('admin.pendingAction'),
            render: (_x, r) => tx(`admin.action.${r.pendingAction ?? 'publish'}`, r.pendingAction ?? ''),
          },
          { title: t('meta.openType'), render: (_x, r) => label('open_type', r.openType) },
          { title: t('meta.grade'), render: (_x, r) => label('grade', r.grade) },
          { title: t('common.updated'), render: (_x, r) => r.updatedAt.slice(0, 16).replace('T', ' ') },
          {
            title: t('common.actions'),
            render: (_x, r) => (
              <Space>
                <Button
                  type="primary"
                  size="small"
                  loading={review.isPending && review.variables?.id === r.id}
                  onClick={() => review.mutate({ id: r.id, decision: 'approve' })}
                  data-testid={`approve-${r.id}`}
                >
                  {t('admin.approve')}
                </Button>
                <Button size="small" onClick={() => setReturning(r)}>
                  {t('admin.return')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Drawer open={!!viewing} size="large" title={viewing?.name} onClose={() => setViewing(null)}>
        {viewing && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <MetadataView r={viewing} />
            <FieldTable fields={viewing.fields} />
          </Space>
        )}
      </Drawer>
      <Modal
        open={!!returning}
        title={`${t('admin.return')}: ${returning?.name ?? ''}`}
        onCancel={() => setReturning(null)}
        okButtonProps={{ disabled: !reason.trim(), loading: review.isPending }}
        onOk={() => returning && review.mutate({ id: returning.id, decision: 'return', reason })}
      >
        <label htmlFor="cd-return-reason">{t('admin.reason')}</label>
        <Input.TextArea
          id="cd-return-reason"
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('admin.reasonRequired')}
        />
      </Modal>
    </>
  );
}
