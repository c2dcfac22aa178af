import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Input, Row, Space, Statistic, Table, Typography } from 'antd';
import { useState } from 'react';
import { get, withQuery } from '../../api/client.ts';
import type { GovernanceReport as Report } from '../../api/types.ts';
import { QueryState } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** Local (UTC+8) calendar day, as the report's periods are. */
function localDay(offsetDays = 0): string {
  return new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

const h2 = (s: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{s}</h2>;

/** GET /api/v1/governance/report for a period; the same report downloads as XLSX. */
export default function GovernanceReport() {
  const { t, tx } = useI18n();
  const [draft, setDraft] = useState({ from: localDay(-29), to: localDay() });
  const [period, setPeriod] = useState(draft);
  const q = useQuery({
    queryKey: ['governance-report', period],
    queryFn: () => get<Report>('/api/v1/governance/report', period),
  });
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('admin.governance')}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <label htmlFor="cd-report-from">{t('report.from')}</label>
        <Input
          id="cd-report-from"
          type="date"
          value={draft.from}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        />
        <label htmlFor="cd-report-to">{t('report.to')}</label>
        <Input
          id="cd-report-to"
          type="date"
          value={draft.to}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
        />
        <Button type="primary" onClick={() => setPeriod(draft)}>
          {t('report.generate')}
        </Button>
        <Button href={withQuery('/api/v1/governance/report', { ...period, format: 'xlsx' })} download>
          {t('report.xlsx')}
        </Button>
      </Space>
      <QueryState query={q}>
        {(r) => (
          <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="governance-report">
            <Row gutter={[16, 16]}>
              {(
                [
                  ['gov.registered', r.datasets.registered],
                  ['gov.published', r.datasets.published],
                  ['gov.publishedInPeriod', r.datasets.publishedInPeriod],
                  ['gov.withData', r.datasets.withData],
                  ['gov.records', r.records],
                  ['gov.exchanges', r.exchanges.total],
                ] as const
              ).map(([k, v]) => (
                <Col xs={12} md={4} key={k}>
                  <Card size="small">
                    <Statistic title={t(k)} value={v} />
                  </Card>
                </Col>
              ))}
            </Row>
            <Row gutter={[16, 16]}>
              <Col xs={24} lg={12}>
                <Card size="small" title={h2(t('gov.departments'))}>
                  <Table
                    size="small"
                    rowKey="id"
                    dataSource={r.departments.items}
                    pagination={{ pageSize: 10, hideOnSinglePage: true }}
                    columns={[
                      { title: t('common.name'), dataIndex: 'name' },
                      { title: t('gov.datasets'), dataIndex: 'datasets' },
                      { title: t('gov.records'), render: (_x, d) => d.records.toLocaleString() },
                    ]}
                  />
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title={h2(t('gov.perDay'))}>
                  <Table
                    size="small"
                    rowKey="day"
                    dataSource={r.exchanges.perDay}
                    pagination={{ pageSize: 10, hideOnSinglePage: true }}
                    locale={{ emptyText: t('common.empty') }}
                    columns={[
                      { title: t('gov.day'), dataIndex: 'day' },
                      { title: t('gov.exchanges'), dataIndex: 'exchanges' },
                      { title: t('gov.rows'), render: (_x, d) => d.rows.toLocaleString() },
                      { title: t('gov.datasets'), dataIndex: 'resources' },
                    ]}
                  />
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title={h2(t('gov.applications'))}>
                  {r.applications.available ? (
                    <Space orientation="vertical" style={{ width: '100%' }}>
                      <Space wrap size="large">
                        <Statistic title={t('gov.appsTotal')} value={r.applications.total} />
                        <Statistic title={t('gov.decided')} value={r.applications.decided} />
                        <Statistic title={t('gov.pastDue')} value={r.applications.openPastDue} />
                        <Statistic
                          title={t('gov.sla')}
                          value={
                            r.applications.slaCompliance === null
                              ? '—'
                              : `${(r.applications.slaCompliance * 100).toFixed(1)}%`
                          }
                        />
                      </Space>
                      <Space wrap>
                        {r.applications.byState.map((s) => (
                          <span key={s.state}>
                            {tx(`app.state.${s.state}`, s.state)}: {s.count}
                          </span>
                        ))}
                      </Space>
                    </Space>
                  ) : (
                    <Alert type="info" title={r.applications.reason} />
                  )}
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title={h2(t('gov.quality'))}>
                  <Space wrap size="large" style={{ marginBottom: 8 }}>
                    <Statistic title={t('gov.assessed')} value={r.quality.assessed} />
                    <Statistic
                      title={t('gov.averageScore')}
                      value={r.quality.averageScore === null ? '—' : r.quality.averageScore.toFixed(1)}
                    />
                  </Space>
                  <Table
                    size="small"
                    rowKey="bucket"
                    dataSource={r.quality.buckets}
                    pagination={false}
                    columns={[
                      { title: t('quality.score'), dataIndex: 'bucket' },
                      { title: t('gov.datasets'), dataIndex: 'datasets' },
                    ]}
                  />
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title={h2(`${t('gov.overdue')} (${r.overdue.count})`)}>
                  <Table
                    size="small"
                    rowKey="resourceId"
                    dataSource={r.overdue.items}
                    pagination={{ pageSize: 10, hideOnSinglePage: true }}
                    locale={{ emptyText: t('common.empty') }}
                    scroll={{ x: 'max-content' }}
                    columns={[
                      { title: t('meta.name'), dataIndex: 'name' },
                      { title: t('meta.provider'), dataIndex: 'providerName' },
                      { title: t('gov.dueAt'), render: (_x, o) => o.dueAt.slice(0, 10) },
                      { title: t('gov.daysOverdue'), dataIndex: 'daysOverdue' },
                    ]}
                  />
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title={h2(t('gov.openedByDomain'))}>
                  <Table
                    size="small"
                    rowKey={(d) => d.domain ?? '—'}
                    dataSource={r.openedByDomain}
                    pagination={false}
                    columns={[
                      { title: t('meta.domain'), render: (_x, d) => d.label ?? d.domain ?? '—' },
                      { title: t('gov.opened'), dataIndex: 'opened' },
                      { title: t('gov.openedInPeriod'), dataIndex: 'openedInPeriod' },
                    ]}
                  />
                </Card>
              </Col>
            </Row>
          </Space>
        )}
      </QueryState>
    </>
  );
}
