import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Form, Input, Modal, Row, Select, Space, Tree, Typography } from 'antd';
import { useState } from 'react';
import { ApiError, get, patch, post } from '../../api/client.ts';
import { useVocabOptions } from '../../api/hooks.ts';
import type { Department } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { toTreeData } from '../public/Departments.tsx';

type DeptForm = Omit<Department, 'id' | 'children'>;

export default function DepartmentsAdmin() {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const kinds = useVocabOptions('department_kind');
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const [form] = Form.useForm<DeptForm>();
  const list = useQuery({ queryKey: ['departments'], queryFn: () => get<Department[]>('/api/v1/departments') });
  const [selected, setSelected] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (v: DeptForm) => {
      const body = { ...v, nameEn: v.nameEn || null, description: v.description || null, parentId: v.parentId || null };
      return editing && editing !== 'new'
        ? patch<Department>(`/api/v1/departments/${editing.id}`, body)
        : post<Department>('/api/v1/departments', body);
    },
    onSuccess: async () => {
      setEditing(null);
      await qc.invalidateQueries({ queryKey: ['departments'] });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field as keyof DeptForm, errors: [e.message] }]);
    },
  });
  const open = (d: Department | 'new') => {
    setEditing(d);
    save.reset();
    form.resetFields();
    form.setFieldsValue(d === 'new' ? { kind: 'department', parentId: selected } : d);
  };
  const current = list.data?.find((d) => d.id === selected);
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t('admin.departments')}
        </Typography.Title>
        <Button type="primary" onClick={() => open('new')}>
          {t('admin.newDepartment')}
        </Button>
      </Space>
      {list.error ? <ErrorAlert error={list.error} /> : null}
      <Row gutter={16} style={{ marginTop: 16 }}>
        <Col xs={24} md={10}>
          <Card size="small">
            <Tree
              defaultExpandAll
              treeData={toTreeData(list.data ?? [], lang)}
              selectedKeys={selected ? [selected] : []}
              onSelect={(k) => setSelected(k[0] ? String(k[0]) : null)}
            />
          </Card>
        </Col>
        <Col xs={24} md={14}>
          {current && (
            <Card
              size="small"
              title={current.name}
              extra={<Button onClick={() => open(current)}>{t('common.edit')}</Button>}
            >
              <p>
                {t('common.code')}: {current.code}
              </p>
              <p>
                {t('admin.kind')}: {kinds.find((k) => k.value === current.kind)?.label ?? current.kind}
              </p>
              {current.nameEn && <p>{current.nameEn}</p>}
              {current.description && <p>{current.description}</p>}
            </Card>
          )}
        </Col>
      </Row>
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('admin.newDepartment') : t('common.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        forceRender
      >
        {save.error && <Alert type="error" title={save.error.message} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="code" label={t('common.code')} rules={[{ required: true }]}>
            <Input maxLength={32} />
          </Form.Item>
          <Form.Item name="name" label={t('common.name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="nameEn" label={t('meta.nameEn')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="kind" label={t('admin.kind')} rules={[{ required: true }]}>
            <Select options={kinds} />
          </Form.Item>
          <Form.Item name="parentId" label={t('admin.parent')}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={(list.data ?? [])
                .filter((d) => editing === 'new' || d.id !== editing?.id)
                .map((d) => ({ value: d.id, label: d.name }))}
            />
          </Form.Item>
          <Form.Item name="description" label={t('admin.description')}>
            <Input.TextArea rows={2} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
