import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { get } from '../../api/client.ts';
import type { LoadReport, Notice, QualitySummary, Rejection } from '../../api/types.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

const ENCODING_LABEL: Record<string, string> = { 'utf-8': 'UTF-8', utf8: 'UTF-8', gb18030: 'GB18030', gbk: 'GBK' };

export function isQualitySummary(q: LoadReport['quality']): q is QualitySummary {
  return !!q && 'score' in q;
}

/** The validation report of one load (GET /jobs/:id/report): what was read, what was refused and why. */
export function LoadReportView({ jobId, quality }: { jobId: string; quality?: LoadReport['quality'] }) {
  const { t, tx, lang } = useI18n();
  const typeName = (type: string) => tx(`coltype.${type}`, type);
  // Parameters as worded: a column type by its name in the user's language.
  const words = (params: Record<string, string | number> = {}) => ({
    ...params,
    ...('type' in params ? { type: typeName(String(params.type)) } : {}),
    ...('from' in params ? { from: typeName(String(params.from)) } : {}),
  });
  const noticeText = (n: Notice) => tx(`notice.${n.code}`, n.message, words(n.params));
  const problem = (x: Rejection) =>
    x.code
      ? tx(`reject.${x.code}${x.code === 'bad_value' && x.params?.nulled ? '_nulled' : ''}`, x.reason, words(x.params))
      : x.reason;
  const q = useQuery({
    queryKey: ['load-report', jobId],
    queryFn: () => get<LoadReport>(`/api/v1/jobs/${encodeURIComponent(jobId)}/report`),
  });
  if (q.isLoading) return <Loading />;
  if (q.error || !q.data) return <ErrorAlert error={q.error} />;
  const r = q.data;
  const ing = r.ingest;
  if (!ing) return <Alert type="info" title={t('report.notReady')} />;
  const q0 = quality ?? r.quality;
  const score = isQualitySummary(q0) ? q0 : null;
  const rejections = r.rejections ?? [];
  return (
    <section data-testid="load-report" aria-labelledby="cd-load-report-title">
      <Typography.Title level={2} style={{ fontSize: 16 }} id="cd-load-report-title">
        {t('report.title')} {r.version !== undefined && <Tag>v{r.version}</Tag>}
      </Typography.Title>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, md: 3 }}
        items={[
          { key: 'format', label: t('report.format'), children: ing.format.toUpperCase() },
          {
            key: 'encoding',
            label: t('report.encoding'),
            children: ing.encoding ? (ENCODING_LABEL[ing.encoding.toLowerCase()] ?? ing.encoding) : '—',
          },
          {
            key: 'delimiter',
            label: t('report.delimiter'),
            children: ing.delimiter === null ? '—' : ing.delimiter === '\t' ? 'TAB' : ing.delimiter,
          },
          { key: 'read', label: t('report.rowsRead'), children: ing.rowsRead.toLocaleString() },
          { key: 'loaded', label: t('report.rowsLoaded'), children: ing.rowsLoaded.toLocaleString() },
          {
            key: 'rejected',
            label: t('report.rowsRejected'),
            children: (
              <span style={{ color: ing.rowsRejected > 0 ? '#cf1322' : undefined }}>
                {ing.rowsRejected.toLocaleString()}
              </span>
            ),
          },
          ...(score
            ? [
                {
                  key: 'quality',
                  label: t('quality.score'),
                  children: <strong data-testid="report-quality">{score.score.toFixed(1)}</strong>,
                },
              ]
            : []),
          ...(ing.geometry
            ? [
                {
                  key: 'geo',
                  label: t('report.geometry'),
                  children: `${ing.geometry.column} · ${ing.geometry.crs} · ${ing.geometry.geometryTypes.join(', ')}`,
                },
              ]
            : []),
        ]}
      />
      <Typography.Title level={3} style={{ fontSize: 14, marginTop: 16 }}>
        {t('report.columns')}
      </Typography.Title>
      <Space wrap size={[4, 4]}>
        {ing.columns.map((c) => (
          <Tag key={c.name}>
            {c.name}: {typeName(c.type)}
          </Tag>
        ))}
      </Space>
      {r.fieldSync && (r.fieldSync.newColumns.length > 0 || r.fieldSync.missingFields.length > 0) && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          title={t('report.fieldSync')}
          description={
            <>
              {r.fieldSync.newColumns.length > 0 && (
                <div>
                  {t('report.newColumns')}: {r.fieldSync.newColumns.join('、')}
                  <div>{t('report.newColumnsMasked')}</div>
                </div>
              )}
              {r.fieldSync.missingFields.length > 0 && (
                <div>
                  {t('report.missingFields')}: {r.fieldSync.missingFields.join('、')}
                </div>
              )}
            </>
          }
        />
      )}
      {r.fieldSync?.fieldsCreated && <Alert style={{ marginTop: 12 }} type="info" title={t('report.fieldsCreated')} />}
      {ing.warnings.length > 0 && (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          title={t('report.warnings')}
          description={
            <ul style={{ margin: 0 }} data-testid="report-warnings">
              {(ing.notices?.map(noticeText) ?? ing.warnings).map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          }
        />
      )}
      {rejections.length > 0 && (
        <>
          <Space style={{ marginTop: 16, justifyContent: 'space-between', width: '100%' }} wrap>
            <Typography.Title level={3} style={{ fontSize: 14, margin: 0 }}>
              {t('report.rejections')}
            </Typography.Title>
            <Button
              size="small"
              href={`/api/v1/jobs/${encodeURIComponent(jobId)}/report?format=csv&lang=${lang}`}
              download
            >
              {t('report.downloadCsv')}
            </Button>
          </Space>
          <Table<Rejection>
            size="small"
            style={{ marginTop: 8 }}
            rowKey={(x, i) => `${x.row}-${x.column ?? ''}-${i ?? 0}`}
            dataSource={rejections}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('report.row'), dataIndex: 'row' },
              { title: t('report.column'), dataIndex: 'column' },
              { title: t('report.value'), dataIndex: 'value' },
              {
                title: t('report.reason'),
                key: 'reason',
                render: (_: unknown, x: Rejection) => {
                  const text = problem(x);
                  return (
                    <>
                      {text}
                      {text !== x.reason && (
                        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                          {t('report.detail')}: {x.reason}
                        </Typography.Text>
                      )}
                    </>
                  );
                },
              },
            ]}
          />
        </>
      )}
    </section>
  );
}
