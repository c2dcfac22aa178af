import { Alert, Empty, Spin } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

export function Loading() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }} aria-busy="true">
      <Spin />
    </div>
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  const detail = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return <Alert type="error" showIcon title={t('common.error')} description={detail} />;
}

/** Renders loading, error or empty states around a query's data. */
export function QueryState<T>({
  query,
  children,
  empty,
}: {
  query: { isLoading: boolean; error: unknown; data: T | undefined };
  children: (data: T) => ReactNode;
  empty?: (data: T) => boolean;
}) {
  const { t } = useI18n();
  if (query.isLoading) return <Loading />;
  if (query.error) return <ErrorAlert error={query.error} />;
  if (query.data === undefined || query.data === null || (empty && empty(query.data)))
    return <Empty description={t('common.empty')} />;
  return <>{children(query.data)}</>;
}
