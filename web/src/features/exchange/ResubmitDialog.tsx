import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Form, Input, List, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { get, post } from '../../api/client.ts';
import type { Resource } from '../../api/types.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { atLeastOne, lastLocalDay, localDay, type Application, type ApplicationDetail } from './api.ts';

interface FormValues {
  purpose: string;
  scenario: string;
  fields: string[];
  periodFrom: string;
  periodTo: string;
}

/**
 * The applicant corrects an application the bureau returned and files it again (back to 待审核, a new bureau SLA).
 * The return reason is shown above the form, which starts from what was filed.
 */
export function ResubmitDialog({ app, onClose }: { app: Application; onClose(): void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const resource = useQuery({
    queryKey: ['resource', app.resourceId],
    queryFn: () => get<Resource>(`/api/v1/resources/${encodeURIComponent(app.resourceId)}`),
    staleTime: 60_000,
  });
  const resubmit = useMutation({
    mutationFn: (v: FormValues) =>
      post<ApplicationDetail>(`/api/v1/applications/${app.id}/resubmit`, {
        purpose: v.purpose,
        scenario: v.scenario,
        fields: v.fields,
        periodFrom: v.periodFrom,
        periodTo: v.periodTo,
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['applications'] });
      await qc.invalidateQueries({ queryKey: ['application'] });
      onClose();
    },
  });
  const names = resource.data?.fields.map((f) => f.name) ?? app.fields;
  return (
    <Modal open title={t('apply.resubmit')} onCancel={onClose} footer={null} width={720} destroyOnHidden>
      {app.returnReason && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={`${t('apply.returnReason')}: ${app.returnReason}`}
          data-testid="return-reason"
        />
      )}
      {resource.isLoading ? (
        <Loading />
      ) : (
        <Form<FormValues>
          form={form}
          layout="vertical"
          initialValues={{
            purpose: app.purpose,
            scenario: app.scenario,
            fields: app.fields.filter((f) => names.includes(f)),
            periodFrom: localDay(app.periodFrom),
            periodTo: lastLocalDay(app.periodTo),
          }}
          onFinish={(v) => resubmit.mutate(v)}
        >
          <Form.Item name="fields" label={t('apply.fields')} rules={[atLeastOne(t('apply.fieldsRequired'))]}>
            <Checkbox.Group options={names.map((f) => ({ value: f, label: f }))} />
          </Form.Item>
          <Form.Item
            name="purpose"
            label={t('apply.purpose')}
            rules={[{ required: true, whitespace: true, message: t('apply.required') }]}
          >
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
          <Form.Item
            name="scenario"
            label={t('apply.scenario')}
            rules={[{ required: true, whitespace: true, message: t('apply.required') }]}
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
          {resubmit.error ? <ErrorAlert error={resubmit.error} /> : null}
          <Space>
            <Button type="primary" htmlType="submit" loading={resubmit.isPending} data-testid="resubmit-submit">
              {t('apply.resubmitSubmit')}
            </Button>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
          </Space>
        </Form>
      )}
    </Modal>
  );
}

/**
 * Applications of mine the bureau returned, each with its reason and a way to correct and file it again. Shown above
 * the applications table in my account and in the console's list of my department's applications.
 */
export function ReturnedApplications({ items, userId }: { items: Application[]; userId: string | undefined }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<Application | null>(null);
  const returned = items.filter((a) => a.state === 'returned' && a.applicantId === userId);
  const names = useQueries({
    queries: [...new Set(returned.map((a) => a.resourceId))].map((id) => ({
      queryKey: ['resource', id],
      queryFn: () => get<Resource>(`/api/v1/resources/${encodeURIComponent(id)}`),
      staleTime: 60_000,
    })),
  });
  const nameOf = (id: string) => names.find((q) => q.data?.id === id)?.data?.name ?? id.slice(0, 8);
  if (returned.length === 0) return null;
  return (
    <section aria-labelledby="cd-returned-title" style={{ marginBottom: 16 }} data-testid="returned-applications">
      <Alert
        type="warning"
        showIcon
        title={<span id="cd-returned-title">{t('apply.returnedTitle', { n: returned.length })}</span>}
        description={
          <List
            size="small"
            dataSource={returned}
            renderItem={(a) => (
              <List.Item
                actions={[
                  <Button
                    key="resubmit"
                    size="small"
                    type="primary"
                    onClick={() => setEditing(a)}
                    aria-label={`${t('apply.resubmit')}: ${nameOf(a.resourceId)}`}
                    data-testid="app-resubmit"
                  >
                    {t('apply.resubmit')}
                  </Button>,
                ]}
              >
                <Space orientation="vertical" size={0}>
                  <strong>{nameOf(a.resourceId)}</strong>
                  <Typography.Text>
                    {t('apply.returnReason')}: {a.returnReason ?? '—'}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        }
      />
      {editing && <ResubmitDialog app={editing} onClose={() => setEditing(null)} />}
    </section>
  );
}
