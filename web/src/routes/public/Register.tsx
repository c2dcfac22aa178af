import { Alert, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, post } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';

interface RegisterForm {
  username: string;
  password: string;
  displayName?: string;
  email?: string;
}

export default function Register() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [form] = Form.useForm<RegisterForm>();
  const [error, setError] = useState<string | null>(null);
  const onFinish = async (v: RegisterForm) => {
    setError(null);
    try {
      await post('/api/v1/auth/register', {
        ...v,
        email: v.email || undefined,
        displayName: v.displayName || undefined,
      });
      await navigate('/login?registered=1');
    } catch (e) {
      if (e instanceof ApiError && e.field)
        form.setFields([{ name: e.field as keyof RegisterForm, errors: [e.message] }]);
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="cd-main" style={{ maxWidth: 420 }}>
      <Card title={<h1 style={{ fontSize: 20, margin: 0 }}>{t('auth.registerTitle')}</h1>}>
        {error && <Alert type="error" title={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form form={form} layout="vertical" onFinish={(v) => void onFinish(v)}>
          <Form.Item label={t('auth.username')} name="username" rules={[{ required: true }]}>
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item label={t('auth.password')} name="password" rules={[{ required: true }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item label={t('auth.displayName')} name="displayName">
            <Input />
          </Form.Item>
          <Form.Item label={t('auth.email')} name="email" rules={[{ type: 'email' }]}>
            <Input autoComplete="email" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block>
            {t('auth.register')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
