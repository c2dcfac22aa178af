import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Empty, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { getOptional } from '../../api/client.ts';
import { useDepartmentName } from '../../api/hooks.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import type { ExchangeLogEntry } from '../../features/exchange/api.ts';
import { useI18n } from '../../i18n/index.tsx';

interface LogPage {
  entries: ExchangeLogEntry[];
  nextBeforeId: number | null;
}

/** Who read my department's data, how (rows, export, SQL, grant) and how much; newest first, paged by id. */
export default function ExchangeLog() {
  const { t, tx } = useI18n();
  const deptName = useDepartmentName();
  const q = useInfiniteQuery({
    queryKey: ['exchange-log'],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => getOptional<LogPage>('/api/v1/exchange-log', { limit: 50, beforeId: pageParam }),
    getNextPageParam: (last) => (last && last.entries.length === 50 ? (last.nextBeforeId ?? undefined) : undefined),
  });
  const pages = q.data?.pages ?? [];
  const unavailable = pages.length > 0 && pages[0] === null;
  const entries = pages.flatMap((p) => p?.entries ?? []);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('console.exchangeLog')}
      </Typography.Title>
      {q.error ? <ErrorAlert error={q.error} /> : null}
      {unavailable ? (
        <Empty description={t('common.empty')} />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Table<ExchangeLogEntry>
            size="small"
            rowKey="id"
            loading={q.isLoading}
            dataSource={entries}
            pagination={false}
            scroll={{ x: 'max-content' }}
            data-testid="exchange-log"
            columns={[
              { title: t('log.at'), render: (_x, e) => e.at.replace('T', ' ').slice(0, 19) },
              {
                title: t('log.who'),
                render: (_x, e) =>
                  `${e.actorName ?? t('log.anonymous')}${e.departmentId ? ` · ${deptName(e.departmentId)}` : ''}`,
              },
              {
                title: t('apply.resource'),
                render: (_x, e) => <Link to={`/console/resources/${e.resourceId}`}>{e.resourceId.slice(0, 8)}</Link>,
              },
              { title: t('log.channel'), render: (_x, e) => <Tag>{tx(`log.channel.${e.channel}`, e.channel)}</Tag> },
              { title: t('log.rows'), render: (_x, e) => e.rows.toLocaleString() },
              {
                title: t('log.grant'),
                render: (_x, e) => (e.grantId ? <Tag color="gold">{t('log.viaGrant')}</Tag> : ''),
              },
              { title: t('log.fields'), render: (_x, e) => (e.fields ?? []).join('、'), ellipsis: true },
            ]}
          />
          {q.hasNextPage && (
            <Button onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
              {t('log.more')}
            </Button>
          )}
        </Space>
      )}
    </>
  );
}
