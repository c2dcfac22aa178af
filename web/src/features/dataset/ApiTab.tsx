import { CopyOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Input, message, Select, Space, Table, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { get, post } from '../../api/client.ts';
import type { RowsResult } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

function CodeBlock({ code, label }: { code: string; label: string }) {
  const { t } = useI18n();
  const [api, holder] = message.useMessage();
  return (
    <div style={{ position: 'relative' }}>
      {holder}
      <pre className="cd-code" aria-label={label} tabIndex={0}>
        {code}
      </pre>
      <Button
        size="small"
        icon={<CopyOutlined />}
        style={{ position: 'absolute', top: 8, right: 8 }}
        aria-label={`${t('common.copy')} ${label}`}
        onClick={() => {
          void navigator.clipboard?.writeText(code).then(() => api.success(t('common.copied')));
        }}
      >
        {t('common.copy')}
      </Button>
    </div>
  );
}

/** Copyable examples of the rows API for this dataset. */
export function ApiTab({ resourceId }: { resourceId: string }) {
  const { t } = useI18n();
  const base = `${window.location.origin}/api/v1/resources/${resourceId}/rows`;
  const url = `${base}?limit=100&offset=0`;
  const curl = `curl -H "Authorization: Bearer $CITYDATA_API_KEY" \\\n  "${url}"`;
  const js = `const res = await fetch('${url}', {\n  headers: { Authorization: 'Bearer ' + process.env.CITYDATA_API_KEY },\n});\nconst { fields, records, total } = await res.json();\nconsole.log(total, records.slice(0, 5));`;
  const py = `import os, requests\n\nres = requests.get(\n    '${base}',\n    params={'limit': 100, 'offset': 0},\n    headers={'Authorization': 'Bearer ' + os.environ['CITYDATA_API_KEY']},\n)\nres.raise_for_status()\ndata = res.json()\nprint(data['total'], data['records'][:5])`;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('dataset.apiIntro')}</Typography.Paragraph>
      <Typography.Paragraph>
        <a href="/api/docs">{t('nav.apiDocs')}</a>
      </Typography.Paragraph>
      <Tabs
        items={[
          { key: 'curl', label: 'curl', children: <CodeBlock code={curl} label="curl" /> },
          { key: 'js', label: 'JavaScript', children: <CodeBlock code={js} label="JavaScript" /> },
          { key: 'py', label: 'Python', children: <CodeBlock code={py} label="Python" /> },
        ]}
      />
      <SqlConsole resourceId={resourceId} />
    </Space>
  );
}

interface SqlResult {
  fields: { name?: string; id?: string; type: string }[];
  records: Record<string, unknown>[];
  truncated: boolean;
}

/** A small read-only SQL console over POST /api/v1/sql; the table is named by the resource id. */
export function SqlConsole({ resourceId }: { resourceId: string }) {
  const { t } = useI18n();
  const [sql, setSql] = useState(`SELECT * FROM "${resourceId}" LIMIT 10`);
  const run = useMutation({ mutationFn: (text: string) => post<SqlResult>('/api/v1/sql', { sql: text }) });
  const cols = (run.data?.fields ?? []).map((f) => f.name ?? f.id ?? '');
  return (
    <section aria-labelledby="cd-sql-title">
      <Typography.Title level={2} style={{ fontSize: 16 }} id="cd-sql-title">
        {t('sql.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('sql.intro')}</Typography.Paragraph>
      <Input.TextArea
        aria-label={t('sql.title')}
        rows={3}
        value={sql}
        onChange={(e) => setSql(e.target.value)}
        style={{ fontFamily: 'monospace' }}
        data-testid="sql-input"
      />
      <Button
        type="primary"
        style={{ marginTop: 8 }}
        loading={run.isPending}
        onClick={() => run.mutate(sql)}
        data-testid="sql-run"
      >
        {t('sql.run')}
      </Button>
      {run.error ? (
        <div style={{ marginTop: 8 }}>
          <ErrorAlert error={run.error} />
        </div>
      ) : null}
      {run.data && (
        <>
          {run.data.truncated && <Alert type="info" style={{ marginTop: 8 }} title={t('sql.truncated')} />}
          <Table<Record<string, unknown>>
            size="small"
            style={{ marginTop: 8 }}
            rowKey={(_r, i) => String(i)}
            dataSource={run.data.records}
            scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            columns={cols.map((c) => ({
              title: c,
              dataIndex: c,
              key: c,
              render: (v: unknown) =>
                v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v),
            }))}
          />
        </>
      )}
    </section>
  );
}

export const EXPORT_FORMATS = ['csv', 'xlsx', 'json', 'ndjson', 'geojson', 'parquet'] as const;

/** The datastore's internal row number: CKAN-style dumps start with it, spreadsheet users do not expect it. */
const ROW_ID = '_id';
/** Formats whose columns are chosen with `fields` (GeoJSON needs its geometry column; Parquet keeps the table). */
const COLUMN_FORMATS = new Set(['csv', 'xlsx', 'json', 'ndjson']);

/**
 * One link per format; CSV in the encoding the visitor's tools expect (Excel on Chinese Windows wants GB18030).
 * The row number `_id` is left out unless asked for (the export's `fields` option names the table's own columns).
 */
export function DownloadsTab({ resourceId, hasGeometry }: { resourceId: string; hasGeometry: boolean }) {
  const { t } = useI18n();
  const [encoding, setEncoding] = useState('utf8-bom');
  const [withRowId, setWithRowId] = useState(false);
  // The columns this visitor may read (masked or not), as the rows API names them.
  const columns = useQuery({
    queryKey: ['export-columns', resourceId],
    queryFn: () => get<RowsResult>(`/api/v1/resources/${resourceId}/rows`, { limit: 1 }),
    select: (r) => r.fields.map((f) => f.id),
    retry: false,
    staleTime: 60_000,
  });
  const own = (columns.data ?? []).filter((c) => c !== ROW_ID);
  const href = (f: string) => {
    const q = new URLSearchParams({ format: f });
    if (f === 'csv') q.set('encoding', encoding);
    if (!withRowId && COLUMN_FORMATS.has(f) && own.length > 0) q.set('fields', JSON.stringify(own));
    return `/api/v1/resources/${resourceId}/export?${q.toString()}`;
  };
  return (
    <Space orientation="vertical">
      <Space wrap>
        <label htmlFor="cd-csv-encoding">{t('download.csvEncoding')}</label>
        <Select
          id="cd-csv-encoding"
          value={encoding}
          onChange={setEncoding}
          style={{ width: 200 }}
          options={[
            { value: 'utf8-bom', label: t('download.utf8bom') },
            { value: 'utf8', label: 'UTF-8' },
            { value: 'gb18030', label: 'GB18030' },
          ]}
        />
        <Checkbox checked={withRowId} onChange={(e) => setWithRowId(e.target.checked)} data-testid="download-row-id">
          {t('download.withRowId')}
        </Checkbox>
      </Space>
      <Space wrap>
        {EXPORT_FORMATS.filter((f) => f !== 'geojson' || hasGeometry).map((f) => (
          <Button
            key={f}
            href={href(f)}
            download
            aria-label={`${t('dataset.download')} ${f.toUpperCase()}`}
            data-testid={`download-${f}`}
          >
            {f.toUpperCase()}
          </Button>
        ))}
      </Space>
      <Typography.Text type="secondary">{t('download.hint')}</Typography.Text>
      <Typography.Text type="secondary">{t('download.datetimeHint')}</Typography.Text>
    </Space>
  );
}
