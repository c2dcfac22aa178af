import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, InputNumber, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { del, get, patch, post, put } from '../../api/client.ts';
import { useLabel } from '../../api/hooks.ts';
import type { Field, Resource } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

export const RULE_KINDS = [
  'id_card',
  'uscc',
  'org_code',
  'division_code',
  'mobile',
  'date_parse',
  'range',
  'regex',
  'enum',
  'not_null',
  'unique',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface RuleParams {
  min?: number;
  max?: number;
  pattern?: string;
  values?: string[];
}

export interface QualityRule {
  id: string;
  resourceId: string;
  field: string;
  kind: RuleKind;
  params: RuleParams | null;
  source: 'manual' | 'element' | 'proposed';
  elementCode: string | null;
  proposal: { sensitivity: string; grade: string; reason: string; passRate: number | null } | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface DataElement {
  code: string;
  name: string;
  dataType: string;
  format: string | null;
  description: string | null;
  rules: { kind: RuleKind; params?: RuleParams | null }[];
  sensitivity: string;
  grade: string;
  createdAt: string;
  updatedAt: string;
}

export function useDataElements() {
  return useQuery({
    queryKey: ['data-elements'],
    queryFn: () => get<{ items: DataElement[] }>('/api/v1/data-elements'),
    select: (d) => d.items,
    staleTime: 60_000,
  });
}

/** "0 – 500", "^[A-Z]+$", "a、b、c": the parameters of a rule in a few characters. */
export function paramsText(p: RuleParams | null | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.min !== undefined || p.max !== undefined) parts.push(`${p.min ?? '−∞'} – ${p.max ?? '+∞'}`);
  if (p.pattern) parts.push(p.pattern);
  if (p.values) parts.push(p.values.join('、'));
  return parts.join(' ');
}

export function useRuleKindOptions() {
  const { tx } = useI18n();
  return RULE_KINDS.map((k) => ({ value: k, label: tx(`rule.${k}`, k) }));
}

/** Parameter inputs for the kinds that take them (range, regex, enum), inside an antd Form at `prefix`. */
export function RuleParamsInputs({ kind, prefix }: { kind: RuleKind | undefined; prefix: (string | number)[] }) {
  const { t } = useI18n();
  if (kind === 'range')
    return (
      <Space wrap>
        <Form.Item name={[...prefix, 'min']} label={t('rules.min')}>
          <InputNumber />
        </Form.Item>
        <Form.Item name={[...prefix, 'max']} label={t('rules.max')}>
          <InputNumber />
        </Form.Item>
      </Space>
    );
  if (kind === 'regex')
    return (
      <Form.Item
        name={[...prefix, 'pattern']}
        label={t('rules.pattern')}
        rules={[{ required: true, message: t('apply.required') }]}
      >
        <Input maxLength={500} style={{ fontFamily: 'monospace' }} />
      </Form.Item>
    );
  if (kind === 'enum')
    return (
      <Form.Item
        name={[...prefix, 'values']}
        label={t('rules.values')}
        extra={t('rules.valuesHint')}
        rules={[{ required: true, whitespace: true, message: t('apply.required') }]}
      >
        <Input maxLength={5000} />
      </Form.Item>
    );
  return null;
}

/** Form values → API params: enum values are typed as one comma/、-separated line. */
export function toParams(
  kind: RuleKind,
  p: { min?: number | null; max?: number | null; pattern?: string; values?: string } | undefined,
): RuleParams | null {
  if (!p) return null;
  if (kind === 'range') {
    const out: RuleParams = {};
    if (p.min !== null && p.min !== undefined) out.min = p.min;
    if (p.max !== null && p.max !== undefined) out.max = p.max;
    return out;
  }
  if (kind === 'regex') return { pattern: p.pattern ?? '' };
  if (kind === 'enum')
    return {
      values: (p.values ?? '')
        .split(/[,，、\n]/)
        .map((v) => v.trim())
        .filter(Boolean),
    };
  return null;
}

interface NewRule {
  field: string;
  kind: RuleKind;
  params?: { min?: number | null; max?: number | null; pattern?: string; values?: string };
}

/**
 * The quality rules of a resource for its stewards: proposals from the detector to accept or dismiss, the rules in
 * force (manual, from data elements, accepted proposals) to switch on and off, a form to add a manual rule, and the
 * binding of each field to a data element (数据元), which brings the element's rules.
 */
export function RulesPanel({ resource }: { resource: Resource }) {
  const { t, tx } = useI18n();
  const label = useLabel();
  const qc = useQueryClient();
  const id = resource.id;
  const [form] = Form.useForm<NewRule>();
  const kind = Form.useWatch('kind', form);
  const kindOptions = useRuleKindOptions();
  const rules = useQuery({
    queryKey: ['quality-rules', id],
    queryFn: () => get<{ items: QualityRule[] }>(`/api/v1/resources/${id}/quality-rules`),
    select: (d) => d.items,
  });
  const elements = useDataElements();
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['quality-rules', id] });
    await qc.invalidateQueries({ queryKey: ['resource', id] });
  };
  const accept = useMutation({
    mutationFn: (ruleId: string) => post(`/api/v1/resources/${id}/quality-rules/${ruleId}/accept`),
    onSuccess: refresh,
  });
  const dismiss = useMutation({
    mutationFn: (ruleId: string) => del(`/api/v1/resources/${id}/quality-rules/${ruleId}`),
    onSuccess: refresh,
  });
  const toggle = useMutation({
    mutationFn: (v: { ruleId: string; active: boolean }) =>
      patch(`/api/v1/resources/${id}/quality-rules/${v.ruleId}`, { active: v.active }),
    onSuccess: refresh,
  });
  const create = useMutation({
    mutationFn: (v: NewRule) => {
      const params = toParams(v.kind, v.params);
      return post(`/api/v1/resources/${id}/quality-rules`, {
        field: v.field,
        kind: v.kind,
        ...(params ? { params } : {}),
      });
    },
    onSuccess: async () => {
      form.resetFields();
      await refresh();
    },
  });
  const bind = useMutation({
    mutationFn: (v: { field: string; code: string | null }) =>
      put(`/api/v1/resources/${id}/fields/${encodeURIComponent(v.field)}/data-element`, { code: v.code }),
    onSuccess: refresh,
  });
  const all = rules.data ?? [];
  const proposals = all.filter((r) => r.source === 'proposed' && !r.active);
  const inForce = all.filter((r) => !(r.source === 'proposed' && !r.active));
  const actionError = accept.error ?? dismiss.error ?? toggle.error ?? bind.error;
  const elementOptions = [
    { value: '', label: t('elements.unbound') },
    ...(elements.data ?? []).map((e) => ({ value: e.code, label: `${e.code} ${e.name}` })),
  ];
  const sourceTag = (r: QualityRule) =>
    r.source === 'element' ? (
      <Tag color="processing">
        {t('rules.source.element')} {r.elementCode}
      </Tag>
    ) : (
      <Tag>{t(`rules.source.${r.source}` as const)}</Tag>
    );
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large" data-testid="rules-panel">
      {rules.error ? <ErrorAlert error={rules.error} /> : null}
      {actionError ? <ErrorAlert error={actionError} /> : null}
      <Card
        size="small"
        title={<h3 style={{ fontSize: 15, margin: 0 }}>{t('rules.proposals', { n: proposals.length })}</h3>}
        data-testid="rule-proposals"
      >
        <Typography.Paragraph type="secondary">{t('rules.proposalsIntro')}</Typography.Paragraph>
        <Table<QualityRule>
          size="small"
          rowKey="id"
          loading={rules.isLoading}
          dataSource={proposals}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('rules.noProposals') }}
          columns={[
            { title: t('quality.field'), dataIndex: 'field' },
            { title: t('quality.rule'), render: (_x, r) => tx(`rule.${r.kind}`, r.kind) },
            {
              title: t('rules.detected'),
              render: (_x, r) =>
                r.proposal ? (
                  <Space wrap size={4}>
                    <Tag>{label('sensitivity', r.proposal.sensitivity)}</Tag>
                    <Tag>{r.proposal.grade}</Tag>
                    {r.proposal.passRate !== null && (
                      <span>{t('rules.passRate', { p: Math.round(r.proposal.passRate * 1000) / 10 })}</span>
                    )}
                  </Space>
                ) : (
                  '—'
                ),
            },
            { title: t('rules.reason'), render: (_x, r) => r.proposal?.reason ?? '—' },
            {
              title: t('common.actions'),
              render: (_x, r) => (
                <Space>
                  <Button
                    size="small"
                    type="primary"
                    loading={accept.isPending && accept.variables === r.id}
                    onClick={() => accept.mutate(r.id)}
                    aria-label={`${t('rules.accept')} ${r.field} ${tx(`rule.${r.kind}`, r.kind)}`}
                    data-testid="proposal-accept"
                  >
                    {t('rules.accept')}
                  </Button>
                  <Button
                    size="small"
                    loading={dismiss.isPending && dismiss.variables === r.id}
                    onClick={() => dismiss.mutate(r.id)}
                    aria-label={`${t('rules.dismiss')} ${r.field} ${tx(`rule.${r.kind}`, r.kind)}`}
                    data-testid="proposal-dismiss"
                  >
                    {t('rules.dismiss')}
                  </Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={<h3 style={{ fontSize: 15, margin: 0 }}>{t('rules.inForce')}</h3>}>
        <Table<QualityRule>
          size="small"
          rowKey="id"
          loading={rules.isLoading}
          dataSource={inForce}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('quality.noRules') }}
          columns={[
            { title: t('quality.field'), dataIndex: 'field' },
            { title: t('quality.rule'), render: (_x, r) => tx(`rule.${r.kind}`, r.kind) },
            { title: t('rules.params'), render: (_x, r) => paramsText(r.params) || '—' },
            { title: t('rules.source'), render: (_x, r) => sourceTag(r) },
            {
              title: t('admin.active'),
              render: (_x, r) => (
                <Switch
                  size="small"
                  checked={r.active}
                  loading={toggle.isPending && toggle.variables?.ruleId === r.id}
                  onChange={(active) => toggle.mutate({ ruleId: r.id, active })}
                  aria-label={`${t('admin.active')} ${r.field} ${tx(`rule.${r.kind}`, r.kind)}`}
                />
              ),
            },
            {
              title: t('common.actions'),
              render: (_x, r) =>
                r.source === 'manual' ? (
                  <Button
                    size="small"
                    danger
                    onClick={() => dismiss.mutate(r.id)}
                    aria-label={`${t('common.delete')} ${r.field} ${tx(`rule.${r.kind}`, r.kind)}`}
                  >
                    {t('common.delete')}
                  </Button>
                ) : null,
            },
          ]}
        />
        <Typography.Title level={4} style={{ fontSize: 14, marginTop: 16 }}>
          {t('rules.add')}
        </Typography.Title>
        <Form<NewRule> form={form} layout="vertical" onFinish={(v) => create.mutate(v)} data-testid="rule-form">
          <Space wrap align="start">
            <Form.Item
              name="field"
              label={t('quality.field')}
              rules={[{ required: true, message: t('apply.required') }]}
            >
              <Select
                style={{ width: 200 }}
                options={resource.fields.map((f) => ({ value: f.name, label: f.name }))}
                showSearch
              />
            </Form.Item>
            <Form.Item name="kind" label={t('quality.rule')} rules={[{ required: true, message: t('apply.required') }]}>
              <Select style={{ width: 220 }} options={kindOptions} />
            </Form.Item>
          </Space>
          <RuleParamsInputs kind={kind} prefix={['params']} />
          {create.error ? <ErrorAlert error={create.error} /> : null}
          <Button htmlType="submit" loading={create.isPending}>
            {t('rules.addButton')}
          </Button>
        </Form>
      </Card>
      <Card size="small" title={<h3 style={{ fontSize: 15, margin: 0 }}>{t('elements.binding')}</h3>}>
        <Typography.Paragraph type="secondary">{t('elements.bindingIntro')}</Typography.Paragraph>
        {elements.error ? <Alert type="info" title={t('common.empty')} /> : null}
        <Table<Field>
          size="small"
          rowKey="name"
          dataSource={resource.fields}
          pagination={false}
          scroll={{ x: 'max-content' }}
          data-testid="field-bindings"
          columns={[
            { title: t('field.name'), dataIndex: 'name' },
            {
              title: t('field.sensitivity'),
              render: (_x, f) =>
                f.sensitivity && f.sensitivity !== 'none' ? label('sensitivity', f.sensitivity) : '—',
            },
            { title: t('field.grade'), dataIndex: 'grade' },
            {
              title: t('elements.element'),
              render: (_x, f) => (
                <Select
                  style={{ width: 260 }}
                  value={f.dataElementCode ?? ''}
                  options={elementOptions}
                  showSearch={{ optionFilterProp: 'label' }}
                  loading={bind.isPending && bind.variables?.field === f.name}
                  onChange={(code: string) => bind.mutate({ field: f.name, code: code || null })}
                  aria-label={`${t('elements.element')}: ${f.name}`}
                  data-testid={`bind-${f.name}`}
                />
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
