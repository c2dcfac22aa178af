import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
  message,
} from 'antd';
import { useState } from 'react';
import { del, get, post, put } from '../../api/client.ts';
import { ErrorAlert, Loading } from '../../components/Status.tsx';
import { localDay, localTime, type AgreementText, type Agreements, type Holiday } from '../../features/exchange/api.ts';
import { useI18n } from '../../i18n/index.tsx';

const KINDS = ['security_commitment', 'use_agreement'] as const;
type Kind = (typeof KINDS)[number];

/** One text in force, and the form that puts a new version in force (applications must then accept that one). */
function AgreementCard({ kind, current }: { kind: Kind; current: AgreementText | null }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [msg, holder] = message.useMessage();
  const [form] = Form.useForm<{ textZh: string; textEn?: string }>();
  const [editing, setEditing] = useState(false);
  const publish = useMutation({
    mutationFn: (v: { textZh: string; textEn?: string }) =>
      post<AgreementText>('/api/v1/exchange/agreements', {
        kind,
        textZh: v.textZh,
        ...(v.textEn?.trim() ? { textEn: v.textEn } : {}),
      }),
    onSuccess: async (a) => {
      await qc.invalidateQueries({ queryKey: ['agreements'] });
      setEditing(false);
      void msg.success(t('agreement.published', { v: a.version }));
    },
  });
  const title = kind === 'security_commitment' ? t('apply.commitment') : t('apply.agreement');
  return (
    <Card
      size="small"
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{title}</h2>}
      extra={current ? <Tag data-testid={`agreement-version-${kind}`}>v{current.version}</Tag> : null}
    >
      {holder}
      {current ? (
        <Descriptions
          size="small"
          column={1}
          items={[
            { key: 'at', label: t('agreement.inForceSince'), children: localTime(current.createdAt) },
            { key: 'zh', label: t('agreement.textZh'), children: current.textZh },
            { key: 'en', label: t('agreement.textEn'), children: current.textEn ?? '—' },
          ]}
        />
      ) : (
        <Alert type="warning" title={t('agreement.none')} />
      )}
      {!editing ? (
        <Button
          style={{ marginTop: 12 }}
          onClick={() => {
            form.setFieldsValue({ textZh: current?.textZh ?? '', textEn: current?.textEn ?? '' });
            setEditing(true);
          }}
          data-testid={`agreement-edit-${kind}`}
        >
          {t('agreement.newVersion')}
        </Button>
      ) : (
        <Form form={form} layout="vertical" style={{ marginTop: 12 }} onFinish={(v) => publish.mutate(v)}>
          <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('agreement.newVersionHint')} />
          <Form.Item
            name="textZh"
            label={t('agreement.textZh')}
            rules={[{ required: true, whitespace: true, message: t('apply.required') }]}
          >
            <Input.TextArea rows={5} maxLength={50_000} />
          </Form.Item>
          <Form.Item name="textEn" label={t('agreement.textEn')}>
            <Input.TextArea rows={4} maxLength={50_000} />
          </Form.Item>
          {publish.error ? <ErrorAlert error={publish.error} /> : null}
          <Space>
            <Button type="primary" htmlType="submit" loading={publish.isPending}>
              {t('agreement.publish')}
            </Button>
            <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
          </Space>
        </Form>
      )}
    </Card>
  );
}

/** The working-day calendar the SLAs count in: holidays, and weekend days worked (调休). */
function HolidayCalendar() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const thisYear = Number(localDay(new Date().toISOString()).slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [form] = Form.useForm<{ date: string; name: string; workday?: boolean }>();
  const q = useQuery({
    queryKey: ['holidays', year],
    queryFn: () => get<Holiday[]>('/api/v1/exchange/holidays', { from: `${year}-01-01`, to: `${year}-12-31` }),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['holidays'] });
  const save = useMutation({
    mutationFn: (v: { date: string; name: string; workday?: boolean }) =>
      put<Holiday>(`/api/v1/exchange/holidays/${v.date}`, { name: v.name.trim(), workday: Boolean(v.workday) }),
    onSuccess: async (h) => {
      form.resetFields();
      const y = Number(h.date.slice(0, 4));
      if (y !== year) setYear(y);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (date: string) => del(`/api/v1/exchange/holidays/${date}`),
    onSuccess: refresh,
  });
  const weekday = (date: string) =>
    t(`calendar.dow.${new Date(`${date}T00:00:00Z`).getUTCDay()}` as `calendar.dow.${0 | 1 | 2 | 3 | 4 | 5 | 6}`);
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('calendar.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('calendar.intro')}</Typography.Paragraph>
      <Form
        form={form}
        layout="inline"
        onFinish={(v) => save.mutate(v)}
        style={{ marginBottom: 16, rowGap: 8 }}
        data-testid="holiday-form"
      >
        <Form.Item name="date" label={t('calendar.date')} rules={[{ required: true, message: t('apply.required') }]}>
          <Input type="date" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('calendar.name')}
          rules={[{ required: true, whitespace: true, message: t('apply.required') }]}
        >
          <Input maxLength={100} style={{ width: 180 }} />
        </Form.Item>
        <Form.Item name="workday" valuePropName="checked">
          <Checkbox>{t('calendar.workday')}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('common.save')}
        </Button>
      </Form>
      {save.error ? <ErrorAlert error={save.error} /> : null}
      {remove.error ? <ErrorAlert error={remove.error} /> : null}
      <Space style={{ marginBottom: 8 }}>
        <label htmlFor="cd-holiday-year">{t('calendar.year')}</label>
        <Select
          id="cd-holiday-year"
          value={year}
          onChange={setYear}
          style={{ width: 120 }}
          options={[thisYear - 1, thisYear, thisYear + 1, thisYear + 2].map((y) => ({ value: y, label: String(y) }))}
        />
      </Space>
      <Table<Holiday>
        size="small"
        rowKey="date"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('calendar.none') }}
        columns={[
          { title: t('calendar.date'), render: (_x, h) => `${h.date} ${weekday(h.date)}` },
          { title: t('calendar.name'), dataIndex: 'name' },
          {
            title: t('calendar.kind'),
            render: (_x, h) =>
              h.workday ? (
                <Tag color="processing">{t('calendar.workdayTag')}</Tag>
              ) : (
                <Tag color="warning">{t('calendar.holidayTag')}</Tag>
              ),
          },
          {
            title: t('common.actions'),
            render: (_x, h) => (
              <Popconfirm title={t('calendar.removeConfirm', { date: h.date })} onConfirm={() => remove.mutate(h.date)}>
                <Button size="small" danger aria-label={`${t('common.delete')} ${h.date}`}>
                  {t('common.delete')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}

/** SLA escalation and grant expiry run every few minutes; the admin can run them now. */
function Sweeps() {
  const { t } = useI18n();
  const run = useMutation({
    mutationFn: () => post<{ escalated: string[]; expired: string[] }>('/api/v1/exchange/sweeps/run'),
  });
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('sweeps.title')}</h2>}>
      <Typography.Paragraph type="secondary">{t('sweeps.intro')}</Typography.Paragraph>
      <Button onClick={() => run.mutate()} loading={run.isPending}>
        {t('sweeps.run')}
      </Button>
      {run.data ? (
        <Alert
          type="success"
          style={{ marginTop: 12 }}
          title={t('sweeps.done', { e: run.data.escalated.length, x: run.data.expired.length })}
        />
      ) : null}
      {run.error ? <ErrorAlert error={run.error} /> : null}
    </Card>
  );
}

/** Settings of the exchange workflows (platform admins): the versioned texts, the calendar, the sweeps. */
export default function ExchangeSettings() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ['agreements'], queryFn: () => get<Agreements>('/api/v1/exchange/agreements') });
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t('admin.exchangeSettings')}
      </Typography.Title>
      {q.error ? <ErrorAlert error={q.error} /> : null}
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        {q.isLoading ? <Loading /> : KINDS.map((k) => <AgreementCard key={k} kind={k} current={q.data?.[k] ?? null} />)}
        <HolidayCalendar />
        <Sweeps />
      </Space>
    </>
  );
}
