import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { get } from '../../api/client.ts';
import { useLabel, useMe } from '../../api/hooks.ts';
import type { Page, Resource } from '../../api/types.ts';
import { StatusTag } from '../../components/ResourceList.tsx';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

const STATUSES = ['draft', 'pending_review', 'returned', 'published', 'withdrawn'];

export default function MyResources() {
  const { t, tx } = useI18n();
  const label = useLabel();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const providerId =
    me?.role === 'platform_admin' || me?.role === 'reviewer' ? undefined : (me?.departmentId ?? undefined);
  const list = useQuery({
    queryKey: ['resources', 'mine', providerId, q, status, page],
    queryFn: () =>
      get<Page<Resource>>('/api/v1/resources', {
        providerId,
        q: q || undefined,
        status,
        sort: 'updated',
        limit: 20,
        offset: (page - 1) * 20,
      }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', flexWrap: 'wrap' }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t('console.myResources')}
        </Typography.Title>
        <Button type="primary" onClick={() => void navigate('/console/resources/new')}>
          {t('console.newResource')}
        </Button>
      </Space>
      <Space wrap style={{ margin: '16px 0' }}>
        <Input.Search
          aria-label={t('common.search')}
          placeholder={t('common.search')}
          allowClear
          onSearch={(v) => {
            setQ(v);
            setPage(1);
          }}
        />
        <Select
          aria-label={t('common.status')}
          placeholder={t('common.status')}
          allowClear
          style={{ width: 140 }}
          value={status}
          onChange={(v: string | undefined) => {
            setStatus(v);
            setPage(1);
          }}
          options={STATUSES.map((s) => ({ value: s, label: tx(`status.${s}`, s) }))}
        />
      </Space>
      {list.error ? <ErrorAlert error={list.error} /> : null}
      <Table<Resource>
        rowKey="id"
        size="middle"
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: 20,
          total: list.data?.total ?? 0,
          onChange: setPage,
          showSizeChanger: false,
        }}
        columns={[
          { title: t('meta.name'), render: (_x, r) => <Link to={`/console/resources/${r.id}`}>{r.name}</Link> },
          { title: t('meta.code'), dataIndex: 'code' },
          { title: t('meta.provider'), dataIndex: 'providerName' },
          { title: t('meta.openType'), render: (_x, r) => label('open_type', r.openType) },
          { title: t('meta.grade'), dataIndex: 'grade' },
          { title: t('common.status'), render: (_x, r) => <StatusTag status={r.status} /> },
          { title: t('common.updated'), render: (_x, r) => r.updatedAt.slice(0, 10) },
        ]}
      />
    </>
  );
}
