import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Typography } from 'antd';
import { useState } from 'react';
import { put } from '../../api/client.ts';
import { useVocabularies } from '../../api/hooks.ts';
import type { VocabEntry } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

const KINDS = [
  'domain',
  'topic',
  'synonym',
  'licence',
  'grade',
  'open_type',
  'sharing_type',
  'sharing_method',
  'update_cycle',
  'format',
  'data_type',
  'sensitivity',
  'class_category',
  'department_kind',
];
/** Kinds whose codes are fixed by the product: labels are editable, entries cannot be added. */
const OPEN_KINDS = new Set(['domain', 'topic', 'synonym', 'licence']);

type EntryForm = Pick<VocabEntry, 'code' | 'labelZh' | 'labelEn' | 'position' | 'active'>;

export default function VocabulariesAdmin() {
  const { t, tx } = useI18n();
  const qc = useQueryClient();
  const vocab = useVocabularies();
  const [kind, setKind] = useState('domain');
  const [editing, setEditing] = useState<VocabEntry | 'new' | null>(null);
  const [form] = Form.useForm<EntryForm>();
  const save = useMutation({
    mutationFn: (v: EntryForm) =>
      put<VocabEntry>(`/api/v1/vocabularies/${encodeURIComponent(kind)}/${encodeURIComponent(v.code)}`, {
        labelZh: v.labelZh,
        labelEn: v.labelEn,
        position: v.position ?? undefined,
        active: v.active,
      }),
    onSuccess: async () => {
      setEditing(null);
      await qc.invalidateQueries({ queryKey: ['vocabularies'] });
    },
  });
  const entries = (vocab.data ?? []).filter((v) => v.kind === kind).sort((a, b) => a.position - b.position);
  const open = (e: VocabEntry | 'new') => {
    setEditing(e);
    save.reset();
    form.resetFields();
    form.setFieldsValue(e === 'new' ? { active: true, position: entries.length + 1 } : e);
  };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('admin.vocabularies')}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <label htmlFor="cd-vocab-kind">{t('admin.vocabKind')}</label>
        <Select
          id="cd-vocab-kind"
          style={{ width: 200 }}
          value={kind}
          onChange={setKind}
          options={KINDS.map((k) => ({ value: k, label: tx(`vocab.${k}`, k) }))}
        />
        {OPEN_KINDS.has(kind) && (
          <Button type="primary" onClick={() => open('new')}>
            {t('admin.newEntry')}
          </Button>
        )}
      </Space>
      {vocab.error ? <ErrorAlert error={vocab.error} /> : null}
      <Table<VocabEntry>
        rowKey={(e) => `${e.kind}:${e.code}`}
        size="small"
        loading={vocab.isLoading}
        dataSource={entries}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('common.code'), dataIndex: 'code' },
          { title: t('admin.labelZh'), dataIndex: 'labelZh' },
          { title: t('admin.labelEn'), dataIndex: 'labelEn' },
          { title: t('admin.position'), dataIndex: 'position' },
          { title: t('admin.active'), render: (_x, e) => (e.active ? t('common.yes') : t('common.no')) },
          {
            title: t('common.actions'),
            render: (_x, e) => (
              <Button size="small" onClick={() => open(e)}>
                {t('common.edit')}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('admin.newEntry') : t('common.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        forceRender
      >
        {save.error && <Alert type="error" title={save.error.message} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item
            name="code"
            label={t('common.code')}
            rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{1,64}$/ }]}
          >
            <Input disabled={editing !== 'new'} />
          </Form.Item>
          <Form.Item name="labelZh" label={t('admin.labelZh')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="labelEn" label={t('admin.labelEn')} rules={[{ required: true }]}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="position" label={t('admin.position')}>
            <InputNumber min={0} max={100000} />
          </Form.Item>
          <Form.Item name="active" label={t('admin.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
