import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { patch, post } from '../../api/client.ts';
import { useLabel, useMe, useVocabOptions } from '../../api/hooks.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';
import {
  RuleParamsInputs,
  paramsText,
  toParams,
  useDataElements,
  useRuleKindOptions,
  type DataElement,
  type RuleKind,
  type RuleParams,
} from './RulesPanel.tsx';

const DATA_TYPES = ['string', 'number', 'date', 'datetime', 'boolean', 'binary'];
const GRADES = ['L1', 'L2', 'L3', 'L4'];

interface RuleRow {
  kind: RuleKind;
  params?: { min?: number | null; max?: number | null; pattern?: string; values?: string };
}
interface ElementForm {
  code: string;
  name: string;
  dataType: string;
  format?: string;
  description?: string;
  sensitivity: string;
  grade: string;
  rules?: RuleRow[];
}

const toForm = (e: DataElement): ElementForm => ({
  code: e.code,
  name: e.name,
  dataType: e.dataType,
  format: e.format ?? '',
  description: e.description ?? '',
  sensitivity: e.sensitivity,
  grade: e.grade,
  rules: e.rules.map((r) => ({
    kind: r.kind,
    params: r.params
      ? { min: r.params.min, max: r.params.max, pattern: r.params.pattern, values: r.params.values?.join('、') }
      : undefined,
  })),
});

/** One rule row of the element form: the kind, then its parameters when it takes any. */
function RuleRowInputs({ index, onRemove }: { index: number; onRemove(): void }) {
  const { t } = useI18n();
  const kindOptions = useRuleKindOptions();
  const form = Form.useFormInstance<ElementForm>();
  const kind = Form.useWatch(['rules', index, 'kind'], form);
  return (
    <div style={{ borderLeft: '2px solid #d9d9d9', paddingLeft: 12, marginBottom: 8 }}>
      <Space align="start" wrap>
        <Form.Item
          name={[index, 'kind']}
          label={`${t('quality.rule')} ${index + 1}`}
          rules={[{ required: true, message: t('apply.required') }]}
        >
          <Select style={{ width: 220 }} options={kindOptions} />
        </Form.Item>
        <Button
          type="text"
          icon={<MinusCircleOutlined />}
          onClick={onRemove}
          aria-label={`${t('elements.removeRule')} ${index + 1}`}
          style={{ marginTop: 30 }}
        />
      </Space>
      <RuleParamsInputs kind={kind} prefix={[index, 'params']} />
    </div>
  );
}

/** Create or change a data element (platform admins); bound fields follow at their next quality run. */
function ElementDialog({ element, onClose }: { element: DataElement | null; onClose(): void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const sensitivityOptions = useVocabOptions('sensitivity');
  const [form] = Form.useForm<ElementForm>();
  const save = useMutation({
    mutationFn: (v: ElementForm) => {
      const body = {
        name: v.name,
        dataType: v.dataType,
        format: v.format?.trim() || null,
        description: v.description?.trim() || null,
        sensitivity: v.sensitivity,
        grade: v.grade,
        rules: (v.rules ?? []).map((r) => {
          const params: RuleParams | null = toParams(r.kind, r.params);
          return params ? { kind: r.kind, params } : { kind: r.kind };
        }),
      };
      return element
        ? patch<DataElement>(`/api/v1/data-elements/${encodeURIComponent(element.code)}`, body)
        : post<DataElement>('/api/v1/data-elements', { code: v.code, ...body });
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['data-elements'] });
      onClose();
    },
  });
  return (
    <Modal
      open
      title={element ? `${t('common.edit')} ${element.code}` : t('elements.new')}
      onCancel={onClose}
      footer={null}
      width={720}
      destroyOnHidden
    >
      <Form<ElementForm>
        form={form}
        layout="vertical"
        initialValues={element ? toForm(element) : { dataType: 'string', sensitivity: 'none', grade: 'L1', rules: [] }}
        onFinish={(v) => save.mutate(v)}
      >
        <Space wrap align="start">
          <Form.Item
            name="code"
            label={t('elements.code')}
            rules={[
              { required: true, message: t('apply.required') },
              { pattern: /^[A-Za-z0-9_.-]+$/, message: t('elements.codeFormat') },
            ]}
          >
            <Input maxLength={64} disabled={element !== null} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('elements.name')}
            rules={[{ required: true, whitespace: true, message: t('apply.required') }]}
          >
            <Input maxLength={100} style={{ width: 260 }} />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="dataType" label={t('field.dataType')} rules={[{ required: true }]}>
            <Select style={{ width: 160 }} options={DATA_TYPES.map((d) => ({ value: d, label: d }))} />
          </Form.Item>
          <Form.Item name="format" label={t('elements.format')}>
            <Input maxLength={100} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="sensitivity" label={t('field.sensitivity')} rules={[{ required: true }]}>
            <Select
              style={{ width: 160 }}
              options={sensitivityOptions.length ? sensitivityOptions : [{ value: 'none', label: 'none' }]}
            />
          </Form.Item>
          <Form.Item name="grade" label={t('field.grade')} rules={[{ required: true }]}>
            <Select style={{ width: 100 }} options={GRADES.map((g) => ({ value: g, label: g }))} />
          </Form.Item>
        </Space>
        <Form.Item name="description" label={t('field.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Typography.Text strong>{t('elements.rules')}</Typography.Text>
        <Form.List name="rules">
          {(rows, { add, remove }) => (
            <div style={{ marginTop: 8 }}>
              {rows.map((row) => (
                <RuleRowInputs key={row.key} index={row.name} onRemove={() => remove(row.name)} />
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ kind: 'not_null' })} style={{ marginBottom: 16 }}>
                {t('elements.addRule')}
              </Button>
            </div>
          )}
        </Form.List>
        {save.error ? <ErrorAlert error={save.error} /> : null}
        <Space>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="element-save">
            {t('common.save')}
          </Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Modal>
  );
}

/** The data element dictionary (数据元): every signed-in user reads it; platform admins edit it. */
export function DataElements() {
  const { t, tx } = useI18n();
  const label = useLabel();
  const { data: me } = useMe();
  const q = useDataElements();
  const [editing, setEditing] = useState<DataElement | 'new' | null>(null);
  const admin = me?.role === 'platform_admin';
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="data-elements">
      <Typography.Paragraph type="secondary">{t('elements.intro')}</Typography.Paragraph>
      {admin && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="element-new">
          {t('elements.new')}
        </Button>
      )}
      {q.error ? <ErrorAlert error={q.error} /> : null}
      <Table<DataElement>
        size="small"
        rowKey="code"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('elements.code'), dataIndex: 'code', render: (c: string) => <code>{c}</code> },
          { title: t('elements.name'), dataIndex: 'name' },
          { title: t('field.dataType'), render: (_x, e) => label('data_type', e.dataType) },
          { title: t('elements.format'), render: (_x, e) => e.format ?? '—' },
          {
            title: t('field.sensitivity'),
            render: (_x, e) => (e.sensitivity === 'none' ? '—' : label('sensitivity', e.sensitivity)),
          },
          { title: t('field.grade'), dataIndex: 'grade' },
          {
            title: t('elements.rules'),
            render: (_x, e) => (
              <Space wrap size={4}>
                {e.rules.map((r, i) => (
                  <Tag key={i}>
                    {tx(`rule.${r.kind}`, r.kind)}
                    {r.params ? ` ${paramsText(r.params)}` : ''}
                  </Tag>
                ))}
              </Space>
            ),
          },
          ...(admin
            ? [
                {
                  title: t('common.actions'),
                  render: (_x: unknown, e: DataElement) => (
                    <Button size="small" onClick={() => setEditing(e)} aria-label={`${t('common.edit')} ${e.code}`}>
                      {t('common.edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editing && <ElementDialog element={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Space>
  );
}
