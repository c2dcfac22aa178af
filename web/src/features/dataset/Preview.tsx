import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Empty, Input, Select, Space, Table, type TableProps } from 'antd';
import { useState } from 'react';
import { ApiError, getOptional } from '../../api/client.ts';
import type { RowsResult } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

type Row = Record<string, unknown>;
interface Filter {
  field: string;
  op: 'contains' | 'eq' | 'gt' | 'lt';
  value: string;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v).slice(0, 200);
  return String(v);
}

/** Server-side paged, sorted and filtered grid over GET /resources/:id/rows. */
export function PreviewTab({ resourceId }: { resourceId: string }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [sort, setSort] = useState<{ field: string; dir: 'asc' | 'desc' } | null>(null);
  const [draft, setDraft] = useState<Filter>({ field: '', op: 'contains', value: '' });
  const [filter, setFilter] = useState<Filter | null>(null);
  const rows = useQuery({
    queryKey: ['rows', resourceId, page, pageSize, sort, filter],
    queryFn: () =>
      getOptional<RowsResult>(`/api/v1/resources/${resourceId}/rows`, {
        limit: pageSize,
        offset: (page - 1) * pageSize,
        sort: sort ? `${sort.field} ${sort.dir}` : undefined,
        filters: filter
          ? JSON.stringify({
              field: filter.field,
              op: filter.op,
              value: filter.op === 'gt' || filter.op === 'lt' ? Number(filter.value) : filter.value,
            })
          : undefined,
      }),
    placeholderData: keepPreviousData,
  });
  // 403: conditional data the caller has not been granted; say so rather than show an error.
  if (rows.error instanceof ApiError && rows.error.status === 403)
    return <Alert type="info" showIcon title={rows.error.message} />;
  if (rows.error) return <ErrorAlert error={rows.error} />;
  if (!rows.isLoading && !rows.data) return <Empty description={t('dataset.noData')} />;
  const fields = (rows.data?.fields ?? []).filter((f) => f.id !== '_id');
  const columns: TableProps<Row>['columns'] = fields.map((f) => ({
    title: f.id,
    dataIndex: f.id,
    key: f.id,
    sorter: true,
    sortOrder: sort?.field === f.id ? (sort.dir === 'asc' ? 'ascend' : 'descend') : null,
    render: (v: unknown) => cell(v),
    ellipsis: true,
  }));
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          aria-label={t('dataset.filter')}
          placeholder={t('dataset.filter')}
          style={{ minWidth: 160 }}
          value={draft.field || undefined}
          onChange={(v: string) => setDraft({ ...draft, field: v })}
          options={fields.map((f) => ({ value: f.id, label: f.id }))}
        />
        <Select
          aria-label="op"
          style={{ width: 100 }}
          value={draft.op}
          onChange={(v: Filter['op']) => setDraft({ ...draft, op: v })}
          options={[
            { value: 'contains', label: '包含 ∋' },
            { value: 'eq', label: '=' },
            { value: 'gt', label: '>' },
            { value: 'lt', label: '<' },
          ]}
        />
        <Input
          aria-label={t('dataset.filterValue')}
          placeholder={t('dataset.filterValue')}
          style={{ width: 180 }}
          value={draft.value}
          onChange={(e) => setDraft({ ...draft, value: e.target.value })}
        />
        <Button
          type="primary"
          disabled={!draft.field}
          onClick={() => {
            setPage(1);
            setFilter(draft.field && draft.value !== '' ? { ...draft } : null);
          }}
        >
          {t('dataset.filter')}
        </Button>
        <Button
          onClick={() => {
            setFilter(null);
            setDraft({ field: '', op: 'contains', value: '' });
          }}
        >
          {t('common.reset')}
        </Button>
      </Space>
      <Table<Row>
        size="small"
        loading={rows.isFetching}
        rowKey={(r) => String(r._id ?? JSON.stringify(r))}
        dataSource={rows.data?.records ?? []}
        columns={columns}
        scroll={{ x: 'max-content' }}
        onChange={(_p, _f, sorter) => {
          const s = Array.isArray(sorter) ? sorter[0] : sorter;
          setSort(
            s?.order && s.columnKey ? { field: String(s.columnKey), dir: s.order === 'ascend' ? 'asc' : 'desc' } : null,
          );
        }}
        pagination={{
          current: page,
          pageSize,
          total: rows.data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) =>
            rows.data?.totalExact === false ? t('dataset.totalApprox', { n }) : t('common.total', { n }),
          onChange: (p, ps) => {
            setPage(ps === pageSize ? p : 1);
            setPageSize(ps);
          },
        }}
      />
    </Space>
  );
}
