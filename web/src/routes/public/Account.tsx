import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Popconfirm,
  Space,
  Table,
  Tag,
  Typography,
  message,
} from 'antd';
import { useState } from 'react';
import { Navigate } from 'react-router';
import { ApiError, del, get, post } from '../../api/client.ts';
import { useDepartmentName, useMe } from '../../api/hooks.ts';
import type { ApiKey } from '../../api/types.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { ApplicationsTable, useApplications } from '../../features/exchange/Applications.tsx';
import { GrantsTable, useGrants } from '../../features/exchange/Grants.tsx';
import { ReturnedApplications } from '../../features/exchange/ResubmitDialog.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** Applications I filed, with their state and SLA; returned ones can be corrected, granted ones take a usage report. */
function MyApplications({ userId }: { userId: string }) {
  const q = useApplications();
  if (q.error) return <ErrorAlert error={q.error} />;
  const mine = (q.data ?? []).filter((a) => a.applicantId === userId);
  return (
    <>
      <ReturnedApplications items={mine} userId={userId} />
      <ApplicationsTable items={mine} loading={q.isLoading} mode="mine" />
    </>
  );
}

/** Grants I hold (or my department holds), with their period; active ones can be downloaded or delivered. */
function MyGrants({ userId, departmentId }: { userId: string; departmentId: string | null }) {
  const q = useGrants();
  if (q.error) return <ErrorAlert error={q.error} />;
  const held = (q.data ?? []).filter(
    (g) => g.granteeUserId === userId || (departmentId !== null && g.granteeDepartmentId === departmentId),
  );
  return <GrantsTable items={held} loading={q.isLoading} mode="holder" />;
}

export default function Account() {
  const { t, tx } = useI18n();
  const me = useMe();
  const deptName = useDepartmentName();
  const qc = useQueryClient();
  const [msg, holder] = message.useMessage();
  const [newKey, setNewKey] = useState<string | null>(null);
  const [keyForm] = Form.useForm<{ name: string }>();
  const [pwForm] = Form.useForm<{ currentPassword: string; newPassword: string }>();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => get<ApiKey[]>('/api/v1/api-keys'),
    enabled: !!me.data,
  });
  const create = useMutation({
    mutationFn: (name: string) => post<ApiKey>('/api/v1/api-keys', { name }),
    onSuccess: async (k) => {
      setNewKey(k.key ?? null);
      keyForm.resetFields();
      await qc.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => del(`/api/v1/api-keys/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  if (me.isLoading) return <Loading />;
  if (!me.data) return <Navigate to="/login?next=/account" replace />;
  const u = me.data;
  const changePassword = async (v: { currentPassword: string; newPassword: string }) => {
    try {
      await post('/api/v1/auth/password', v);
      pwForm.resetFields();
      void msg.success(t('common.saved'));
    } catch (e) {
      pwForm.setFields([{ name: 'newPassword', errors: [e instanceof ApiError ? e.message : String(e)] }]);
    }
  };
  return (
    <div className="cd-main">
      {holder}
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('account.title')}
      </Typography.Title>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('account.profile')}</h2>}>
          <Descriptions
            column={{ xs: 1, md: 2 }}
            items={[
              { key: 'u', label: t('auth.username'), children: u.username },
              { key: 'n', label: t('auth.displayName'), children: u.displayName },
              { key: 'r', label: t('account.role'), children: tx(`role.${u.role}`, u.role) },
              { key: 'd', label: t('admin.department'), children: u.departmentId ? deptName(u.departmentId) : '—' },
              { key: 'e', label: t('auth.email'), children: u.email ?? '—' },
            ]}
          />
        </Card>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('account.apiKeys')}</h2>}>
          {newKey && (
            <Alert
              type="success"
              closable={{ onClose: () => setNewKey(null) }}
              style={{ marginBottom: 16 }}
              title={t('account.keyOnce')}
              description={
                <Typography.Text copyable code data-testid="new-key">
                  {newKey}
                </Typography.Text>
              }
            />
          )}
          {create.error && <ErrorAlert error={create.error} />}
          <Form form={keyForm} layout="inline" onFinish={(v) => create.mutate(v.name)} style={{ marginBottom: 16 }}>
            <Form.Item name="name" label={t('account.keyName')} rules={[{ required: true }]}>
              <Input maxLength={100} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={create.isPending}>
              {t('account.newKey')}
            </Button>
          </Form>
          <Table<ApiKey>
            size="small"
            rowKey="id"
            loading={keys.isLoading}
            dataSource={keys.data ?? []}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('account.keyName'), dataIndex: 'name' },
              { title: t('account.keyPrefix'), dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
              { title: t('account.keyCreated'), dataIndex: 'createdAt', render: (x: string) => x.slice(0, 10) },
              {
                title: t('account.keyLastUsed'),
                dataIndex: 'lastUsedAt',
                render: (x: string | null) => x?.slice(0, 10) ?? '—',
              },
              {
                title: t('common.status'),
                render: (_x, k) =>
                  k.revokedAt ? (
                    <Tag>{t('account.keyRevoked')}</Tag>
                  ) : (
                    <Tag color="success">{t('account.keyActive')}</Tag>
                  ),
              },
              {
                title: t('common.actions'),
                render: (_x, k) =>
                  !k.revokedAt && (
                    <Popconfirm title={t('account.revokeConfirm')} onConfirm={() => revoke.mutate(k.id)}>
                      <Button size="small" danger>
                        {t('account.revoke')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        </Card>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('auth.changePassword')}</h2>}>
          <Form form={pwForm} layout="vertical" style={{ maxWidth: 360 }} onFinish={(v) => void changePassword(v)}>
            <Form.Item name="currentPassword" label={t('auth.currentPassword')} rules={[{ required: true }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Form.Item name="newPassword" label={t('auth.newPassword')} rules={[{ required: true }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button htmlType="submit">{t('common.save')}</Button>
          </Form>
        </Card>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('account.applications')}</h2>}>
          <MyApplications userId={u.id} />
        </Card>
        <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('account.grants')}</h2>} data-testid="my-grants">
          <MyGrants userId={u.id} departmentId={u.role === 'public' ? null : u.departmentId} />
        </Card>
      </Space>
    </div>
  );
}
