import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { ApiError, get, patch, post } from '../../api/client.ts';
import { useDepartments, useMe } from '../../api/hooks.ts';
import { ROLES, type Role, type User } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

interface NewUser {
  username: string;
  password: string;
  displayName?: string;
  email?: string;
  role: Role;
  departmentId?: string | null;
}

export default function UsersAdmin() {
  const { t, tx } = useI18n();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const departments = useDepartments();
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm<NewUser>();
  const [page, setPage] = useState(1);
  const users = useQuery({
    queryKey: ['users', page],
    queryFn: () => get<User[]>('/api/v1/users', { limit: 51, offset: (page - 1) * 50 }),
  });
  const roleOptions = ROLES.filter((r) => me?.role === 'platform_admin' || r !== 'platform_admin').map((r) => ({
    value: r,
    label: tx(`role.${r}`, r),
  }));
  const deptOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
  const create = useMutation({
    mutationFn: (v: NewUser) =>
      post<User>('/api/v1/users', { ...v, email: v.email || null, departmentId: v.departmentId || null }),
    onSuccess: async () => {
      setCreating(false);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.field) form.setFields([{ name: e.field as keyof NewUser, errors: [e.message] }]);
    },
  });
  const update = useMutation({
    mutationFn: (v: { id: string; changes: Partial<User> }) => patch<User>(`/api/v1/users/${v.id}`, v.changes),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
  });
  const rows = (users.data ?? []).slice(0, 50);
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t('admin.users')}
        </Typography.Title>
        <Button type="primary" onClick={() => setCreating(true)}>
          {t('admin.newUser')}
        </Button>
      </Space>
      {users.error ? <ErrorAlert error={users.error} /> : null}
      {update.error ? <ErrorAlert error={update.error} /> : null}
      <Table<User>
        style={{ marginTop: 16 }}
        rowKey="id"
        size="middle"
        loading={users.isLoading}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: 50,
          // The API pages without a total: one extra row tells whether a next page exists.
          total: (page - 1) * 50 + rows.length + ((users.data?.length ?? 0) > 50 ? 1 : 0),
          onChange: setPage,
        }}
        columns={[
          { title: t('auth.username'), dataIndex: 'username' },
          { title: t('auth.displayName'), dataIndex: 'displayName' },
          {
            title: t('account.role'),
            render: (_x, u) => (
              <Select
                aria-label={`${t('account.role')} ${u.username}`}
                size="small"
                style={{ width: 140 }}
                value={u.role}
                disabled={u.id === me?.id}
                options={roleOptions}
                onChange={(role: Role) => update.mutate({ id: u.id, changes: { role } })}
              />
            ),
          },
          {
            title: t('admin.department'),
            render: (_x, u) => (
              <Select
                aria-label={`${t('admin.department')} ${u.username}`}
                size="small"
                style={{ width: 180 }}
                allowClear
                value={u.departmentId ?? undefined}
                options={deptOptions}
                onChange={(d: string | undefined) => update.mutate({ id: u.id, changes: { departmentId: d ?? null } })}
              />
            ),
          },
          {
            title: t('common.status'),
            render: (_x, u) =>
              u.disabled ? (
                <Tag color="error">{t('admin.disabled')}</Tag>
              ) : (
                <Tag color="success">{t('admin.enabled')}</Tag>
              ),
          },
          {
            title: t('common.actions'),
            render: (_x, u) =>
              u.id !== me?.id && (
                <Button
                  size="small"
                  danger={!u.disabled}
                  onClick={() => update.mutate({ id: u.id, changes: { disabled: !u.disabled } })}
                >
                  {u.disabled ? t('admin.enable') : t('admin.disable')}
                </Button>
              ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('admin.newUser')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        forceRender
      >
        {create.error && <Alert type="error" title={create.error.message} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical" initialValues={{ role: 'member' }} onFinish={(v) => create.mutate(v)}>
          <Form.Item name="username" label={t('auth.username')} rules={[{ required: true }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="password" label={t('auth.password')} rules={[{ required: true }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="displayName" label={t('auth.displayName')}>
            <Input />
          </Form.Item>
          <Form.Item name="email" label={t('auth.email')}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label={t('account.role')} rules={[{ required: true }]}>
            <Select options={roleOptions} />
          </Form.Item>
          <Form.Item name="departmentId" label={t('admin.department')}>
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={deptOptions} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
