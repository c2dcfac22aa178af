import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Col, Empty, Progress, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { getOptional, post } from '../../api/client.ts';
import type { QualityOf, QualityRuleResult } from '../../api/types.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** The quality report of a resource (GET /resources/:id/quality); 404/403 (module absent, no right) → null. */
export function useQuality(resourceId: string) {
  return useQuery({
    queryKey: ['quality', resourceId],
    queryFn: async () => {
      try {
        return await getOptional<QualityOf>(`/api/v1/resources/${encodeURIComponent(resourceId)}/quality`);
      } catch {
        return null;
      }
    },
    staleTime: 30_000,
  });
}

export function scoreColour(score: number): string {
  return score >= 90 ? '#237804' : score >= 70 ? '#0b57d0' : score >= 60 ? '#ad4e00' : '#cf1322';
}

/** A small score badge for the dataset header; renders nothing until a report exists. */
export function QualityBadge({ resourceId }: { resourceId: string }) {
  const { t } = useI18n();
  const q = useQuality(resourceId);
  const latest = q.data?.latest;
  if (!latest) return null;
  return (
    <Tag color={scoreColour(latest.score)} data-testid="quality-badge">
      {t('quality.score')} {latest.score.toFixed(1)}
    </Tag>
  );
}

const pct = (x: number) => Math.round(x * 1000) / 10;

/** Score, its four dimensions, the rules with their failures (sample values masked as the caller must see them). */
export function QualityPanel({ resourceId, manage = false }: { resourceId: string; manage?: boolean }) {
  const { t, tx } = useI18n();
  const qc = useQueryClient();
  const q = useQuality(resourceId);
  const rerun = useMutation({
    mutationFn: () => post(`/api/v1/resources/${encodeURIComponent(resourceId)}/quality/run`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['quality', resourceId] }),
  });
  if (q.isLoading) return <Loading />;
  const latest = q.data?.latest;
  if (!latest)
    return (
      <Space orientation="vertical">
        <Empty description={t('quality.none')} />
        {manage && q.data && (
          <Button onClick={() => rerun.mutate()} loading={rerun.isPending}>
            {t('quality.run')}
          </Button>
        )}
        {rerun.error ? <ErrorAlert error={rerun.error} /> : null}
      </Space>
    );
  const dims = [
    { key: 'validity', value: latest.validity },
    { key: 'completeness', value: latest.completeness },
    { key: 'uniqueness', value: latest.uniqueness },
    { key: 'timeliness', value: latest.timeliness },
  ];
  const rules = latest.details?.rules ?? [];
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large" data-testid="quality-panel">
      <Row gutter={[16, 16]} align="middle">
        <Col xs={24} md={6}>
          <Statistic
            title={t('quality.score')}
            value={latest.score}
            precision={1}
            styles={{ content: { color: scoreColour(latest.score) } }}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('quality.runAt')} {latest.runAt.replace('T', ' ').slice(0, 16)} · {latest.rows.toLocaleString()}{' '}
            {t('console.rows')}
          </Typography.Text>
        </Col>
        {dims.map((d) => (
          <Col xs={12} md={4} key={d.key}>
            <div style={{ textAlign: 'center' }}>
              <Progress type="circle" size={72} percent={pct(d.value)} aria-label={tx(`quality.${d.key}`, d.key)} />
              <div>{tx(`quality.${d.key}`, d.key)}</div>
            </div>
          </Col>
        ))}
      </Row>
      {manage && (
        <Button onClick={() => rerun.mutate()} loading={rerun.isPending}>
          {t('quality.run')}
        </Button>
      )}
      {rerun.error ? <ErrorAlert error={rerun.error} /> : null}
      <Table<QualityRuleResult>
        size="small"
        rowKey="ruleId"
        dataSource={rules}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('quality.noRules') }}
        columns={[
          { title: t('quality.field'), dataIndex: 'field' },
          { title: t('quality.rule'), render: (_x, r) => tx(`rule.${r.kind}`, r.kind) },
          { title: t('quality.checked'), render: (_x, r) => r.checked.toLocaleString() },
          {
            title: t('quality.failures'),
            render: (_x, r) => (
              <span style={{ color: r.failures > 0 ? '#cf1322' : undefined }}>{r.failures.toLocaleString()}</span>
            ),
          },
          {
            title: t('quality.samples'),
            render: (_x, r) =>
              r.sampleRows
                .slice(0, 3)
                .map((s) => s.value ?? '∅')
                .join('、'),
          },
        ]}
      />
      {q.data && q.data.history.length > 1 && (
        <div>
          <Typography.Title level={3} style={{ fontSize: 14 }}>
            {t('quality.history')}
          </Typography.Title>
          <Space wrap>
            {q.data.history.slice(0, 12).map((h) => (
              <Tag key={h.id} color={scoreColour(h.score)}>
                {h.runAt.slice(0, 10)}: {h.score.toFixed(1)}
              </Tag>
            ))}
          </Space>
        </div>
      )}
    </Space>
  );
}
