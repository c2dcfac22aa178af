import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { Button, Empty, Select, Space } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { getOptional } from '../../api/client.ts';
import type { Field, RowsResult } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

type Kind = 'bar' | 'line' | 'pie';
type Fn = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** Chart builder: one group-by field, one aggregate, drawn by ECharts from the rows endpoint's aggregation. */
export default function ChartTab({ resourceId, fields }: { resourceId: string; fields: Field[] }) {
  const { t } = useI18n();
  const [groupBy, setGroupBy] = useState<string | undefined>(fields.find((f) => f.dataType === 'string')?.name);
  const [fn, setFn] = useState<Fn>('count');
  const [measure, setMeasure] = useState<string | undefined>(fields.find((f) => f.dataType === 'number')?.name);
  const [kind, setKind] = useState<Kind>('bar');
  const [data, setData] = useState<{ name: string; value: number }[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const el = useRef<HTMLDivElement>(null);

  const draw = async () => {
    if (!groupBy) return;
    setLoading(true);
    setError(null);
    try {
      const agg = fn === 'count' ? { fn, as: 'value' } : { fn, field: measure, as: 'value' };
      const res = await getOptional<RowsResult>(`/api/v1/resources/${resourceId}/rows`, {
        groupBy,
        aggregates: JSON.stringify([agg]),
        sort: 'value desc',
        limit: 50,
      });
      setData(res ? res.records.map((r) => ({ name: String(r[groupBy] ?? '—'), value: Number(r.value ?? 0) })) : []);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (!el.current || !data?.length) return;
    const chart = echarts.init(el.current);
    chart.setOption(
      kind === 'pie'
        ? {
            tooltip: { trigger: 'item' },
            legend: { type: 'scroll', bottom: 0 },
            series: [{ type: 'pie', radius: '65%', data }],
          }
        : {
            tooltip: { trigger: 'axis' },
            grid: { left: 48, right: 16, bottom: 64, top: 16 },
            xAxis: { type: 'category', data: data.map((d) => d.name), axisLabel: { rotate: 30 } },
            yAxis: { type: 'value' },
            series: [{ type: kind, data: data.map((d) => d.value) }],
          },
    );
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [data, kind]);

  const numeric = fields.filter((f) => f.dataType === 'number');
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          aria-label={t('dataset.chartType')}
          value={kind}
          style={{ width: 110 }}
          onChange={setKind}
          options={[
            { value: 'bar', label: t('dataset.bar') },
            { value: 'line', label: t('dataset.line') },
            { value: 'pie', label: t('dataset.pie') },
          ]}
        />
        <Select
          aria-label={t('dataset.groupBy')}
          placeholder={t('dataset.groupBy')}
          value={groupBy}
          style={{ minWidth: 160 }}
          onChange={setGroupBy}
          options={fields.map((f) => ({ value: f.name, label: f.name }))}
        />
        <Select
          aria-label={t('dataset.aggregate')}
          value={fn}
          style={{ width: 100 }}
          onChange={setFn}
          options={(['count', 'sum', 'avg', 'min', 'max'] as const).map((x) => ({
            value: x,
            label: t(`dataset.${x}`),
          }))}
        />
        {fn !== 'count' && (
          <Select
            aria-label={t('dataset.measure')}
            placeholder={t('dataset.measure')}
            value={measure}
            style={{ minWidth: 160 }}
            onChange={setMeasure}
            options={numeric.map((f) => ({ value: f.name, label: f.name }))}
          />
        )}
        <Button
          type="primary"
          loading={loading}
          disabled={!groupBy || (fn !== 'count' && !measure)}
          onClick={() => void draw()}
        >
          {t('dataset.draw')}
        </Button>
      </Space>
      {error ? <ErrorAlert error={error} /> : null}
      {data && data.length === 0 && <Empty description={t('dataset.noData')} />}
      <div
        ref={el}
        className="cd-chart"
        style={{ display: data?.length ? 'block' : 'none' }}
        role="img"
        aria-label={t('dataset.chart')}
      />
      {data && data.length > 0 && (
        // The figures behind the chart, for screen readers and for anyone who wants the numbers.
        <details>
          <summary>{t('dataset.chartData')}</summary>
          <table className="cd-chart-data" data-testid="chart-data">
            <thead>
              <tr>
                <th scope="col">{groupBy}</th>
                <th scope="col">{t(`dataset.${fn}`)}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr key={d.name}>
                  <td>{d.name}</td>
                  <td>{d.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </Space>
  );
}
