import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Form, Input, Modal, Result, Space, Typography } from 'antd';
import { Link, useLocation } from 'react-router';
import { get, post } from '../../api/client.ts';
import { useMe } from '../../api/hooks.ts';
import type { Resource, User } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { atLeastOne, type Agreements, type Application } from './api.ts';

/** Which application the signed-in user may file for a resource, if any. */
export function applicationKind(r: Resource, me: User | null | undefined): 'open' | 'share' | null {
  if (r.status !== 'published') return null;
  if (me && me.role !== 'public' && me.departmentId && me.departmentId !== r.providerId)
    return r.sharingType === 'conditional' ? 'share' : null;
  if (r.openType === 'conditional' && (!me || me.role === 'public')) return 'open';
  return null;
}

interface FormValues {
  fields: string[];
  purpose: string;
  scenario: string;
  periodFrom: string;
  periodTo: string;
  organisation?: string;
  contact?: string;
  commitment?: boolean;
  agreement?: boolean;
}

const day = (offset: number) => new Date(Date.now() + 8 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * The application form: fields, purpose, scenario and period; open-data applications also show the security
 * commitment (公共数据安全承诺书) and the use agreement (开放利用协议) in force, which must be accepted.
 */
export function ApplyDialog({ resource, open, onClose }: { resource: Resource; open: boolean; onClose(): void }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const location = useLocation();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const kind = applicationKind(resource, me.data);
  const agreements = useQuery({
    queryKey: ['agreements'],
    queryFn: () => get<Agreements>('/api/v1/exchange/agreements'),
    enabled: open && kind === 'open',
    staleTime: 5 * 60_000,
  });
  const submit = useMutation({
    mutationFn: (v: FormValues) =>
      post<Application>('/api/v1/applications', {
        kind,
        resourceId: resource.id,
        purpose: v.purpose,
        scenario: v.scenario,
        fields: v.fields,
        periodFrom: v.periodFrom,
        periodTo: v.periodTo,
        ...(kind === 'open'
          ? {
              form: { organisation: v.organisation ?? '', contact: v.contact ?? '' },
              commitmentVersion: agreements.data?.security_commitment?.version,
              agreementVersion: agreements.data?.use_agreement?.version,
            }
          : {}),
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['applications'] }),
  });
  const text = (a: Agreements[keyof Agreements]) => (a ? (lang === 'en' && a.textEn ? a.textEn : a.textZh) : '');
  const close = () => {
    submit.reset();
    onClose();
  };

  let body;
  if (!me.data)
    body = (
      <Space orientation="vertical">
        <p>
          {t('dataset.applyText')}
          {resource.openConditions ?? resource.sharingConditions}
        </p>
        <Link to={`/login?next=${encodeURIComponent(location.pathname)}`}>{t('apply.loginFirst')}</Link>
      </Space>
    );
  else if (!kind) body = <Alert type="info" title={t('apply.notForYou')} />;
  else if (submit.data)
    body = (
      <Result
        status="success"
        title={t('apply.filed')}
        subTitle={t(kind === 'open' ? 'apply.filedSubOpen' : 'apply.filedSub')}
        extra={<Link to={kind === 'open' ? '/account' : '/console/applications'}>{t('apply.track')}</Link>}
      />
    );
  else
    body = (
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{ fields: resource.fields.map((f) => f.name), periodFrom: day(0), periodTo: day(365) }}
        onFinish={(v) => submit.mutate(v)}
      >
        <Typography.Paragraph type="secondary">
          {kind === 'share' ? t('apply.shareIntro') : t('apply.openIntro')}{' '}
          {kind === 'share' ? resource.sharingConditions : resource.openConditions}
        </Typography.Paragraph>
        <Form.Item name="fields" label={t('apply.fields')} rules={[atLeastOne(t('apply.fieldsRequired'))]}>
          <Checkbox.Group options={resource.fields.map((f) => ({ value: f.name, label: f.name }))} />
        </Form.Item>
        <Form.Item name="purpose" label={t('apply.purpose')} rules={[{ required: true, message: t('apply.required') }]}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Form.Item
          name="scenario"
          label={t('apply.scenario')}
          rules={[{ required: true, message: t('apply.required') }]}
        >
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="periodFrom" label={t('apply.periodFrom')} rules={[{ required: true }]}>
            <Input type="date" />
          </Form.Item>
          <Form.Item name="periodTo" label={t('apply.periodTo')} rules={[{ required: true }]}>
            <Input type="date" />
          </Form.Item>
        </Space>
        {kind === 'open' && (
          <>
            <Form.Item
              name="organisation"
              label={t('apply.organisation')}
              rules={[{ required: true, message: t('apply.required') }]}
            >
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item
              name="contact"
              label={t('apply.contact')}
              rules={[{ required: true, message: t('apply.required') }]}
            >
              <Input maxLength={200} />
            </Form.Item>
            {agreements.error ? <ErrorAlert error={agreements.error} /> : null}
            <section aria-label={t('apply.commitment')} className="cd-agreement" tabIndex={0}>
              <strong>
                {t('apply.commitment')} (v{agreements.data?.security_commitment?.version ?? '—'})
              </strong>
              <p>{text(agreements.data?.security_commitment ?? null)}</p>
            </section>
            <Form.Item
              name="commitment"
              valuePropName="checked"
              rules={[
                { validator: (_r, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('apply.mustAccept')))) },
              ]}
            >
              <Checkbox>{t('apply.acceptCommitment')}</Checkbox>
            </Form.Item>
            <section aria-label={t('apply.agreement')} className="cd-agreement" tabIndex={0}>
              <strong>
                {t('apply.agreement')} (v{agreements.data?.use_agreement?.version ?? '—'})
              </strong>
              <p>{text(agreements.data?.use_agreement ?? null)}</p>
            </section>
            <Form.Item
              name="agreement"
              valuePropName="checked"
              rules={[
                { validator: (_r, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('apply.mustAccept')))) },
              ]}
            >
              <Checkbox>{t('apply.acceptAgreement')}</Checkbox>
            </Form.Item>
          </>
        )}
        {submit.error ? <ErrorAlert error={submit.error} /> : null}
        <Button type="primary" htmlType="submit" loading={submit.isPending} data-testid="apply-submit">
          {t('apply.submit')}
        </Button>
      </Form>
    );
  return (
    <Modal
      open={open}
      title={`${t('dataset.apply')}：${resource.name}`}
      onCancel={close}
      footer={null}
      width={720}
      destroyOnHidden
    >
      {body}
    </Modal>
  );
}
