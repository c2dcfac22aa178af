import { useQuery } from '@tanstack/react-query';
import { Breadcrumb, Card, Pagination, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { get } from '../../api/client.ts';
import { useLabel } from '../../api/hooks.ts';
import type { Department, Page, Resource } from '../../api/types.ts';
import { ResourceList } from '../../components/ResourceList.tsx';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

export default function DepartmentPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const label = useLabel();
  const [page, setPage] = useState(1);
  const dept = useQuery({ queryKey: ['department', id], queryFn: () => get<Department>(`/api/v1/departments/${id}`) });
  const res = useQuery({
    queryKey: ['resources', 'dept', id, page],
    queryFn: () =>
      get<Page<Resource>>('/api/v1/resources', {
        providerId: dept.data?.id ?? id,
        status: 'published',
        limit: 10,
        offset: (page - 1) * 10,
      }),
    enabled: !!dept.data,
  });
  if (dept.isLoading) return <Loading />;
  if (dept.error || !dept.data)
    return (
      <div className="cd-main">
        <ErrorAlert error={dept.error} />
      </div>
    );
  const d = dept.data;
  return (
    <div className="cd-main">
      <Breadcrumb items={[{ title: <Link to="/departments">{t('dept.title')}</Link> }, { title: d.name }]} />
      <Typography.Title level={1} style={{ fontSize: 24, marginTop: 12 }}>
        {lang === 'en' && d.nameEn ? d.nameEn : d.name}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {label('department_kind', d.kind)} · {d.code}
        {d.description ? ` · ${d.description}` : ''}
      </Typography.Paragraph>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('dept.resources')}</h2>}>
        <ResourceList items={res.data?.items ?? []} loading={res.isLoading} />
        <Pagination current={page} total={res.data?.total ?? 0} hideOnSinglePage onChange={setPage} />
      </Card>
    </div>
  );
}
