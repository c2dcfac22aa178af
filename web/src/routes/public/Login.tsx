import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, post } from '../../api/client.ts';
import type { User } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

export default function Login() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [sp] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const registered = sp.get('registered') === '1';
  const onFinish = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const res = await post<{ user: User }>('/api/v1/auth/login', v);
      qc.setQueryData(['me'], res.user);
      await qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      const next = sp.get('next');
      const home = ['platform_admin', 'reviewer'].includes(res.user.role)
        ? '/admin'
        : res.user.role === 'public'
          ? '/'
          : '/console';
      await navigate(next && next.startsWith('/') ? next : home);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="cd-main" style={{ maxWidth: 420 }}>
      <Card title={<h1 style={{ fontSize: 20, margin: 0 }}>{t('auth.loginTitle')}</h1>}>
        {registered && <Alert type="success" title={t('auth.registered')} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={(v: { username: string; password: string }) => void onFinish(v)}>
          <Form.Item
            label={t('auth.username')}
            name="username"
            rules={[{ required: true, message: t('auth.required', { f: t('auth.username') }) }]}
          >
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item
            label={t('auth.password')}
            name="password"
            rules={[{ required: true, message: t('auth.required', { f: t('auth.password') }) }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('auth.login')}
          </Button>
        </Form>
        <div style={{ marginTop: 16 }}>
          <Link to="/register">{t('auth.noAccount')}</Link>
        </div>
      </Card>
    </div>
  );
}
