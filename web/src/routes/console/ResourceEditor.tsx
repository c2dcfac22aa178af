import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Typography,
  message,
} from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, get, patch, post } from '../../api/client.ts';
import { useDepartments, useMe, useVocabOptions } from '../../api/hooks.ts';
import type { Field, Resource, ResourceInput } from '../../api/types.ts';
import { Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

type FormValues = Omit<ResourceInput, 'fields'> & { fields: Field[] };

const DEFAULTS: Partial<FormValues> = {
  classCategory: '3',
  format: 'table',
  sharingType: 'unconditional',
  sharingMethod: 'api',
  openType: 'unconditional',
  updateCycle: 'irregular',
  grade: 'L1',
  topics: [],
  tags: [],
  relatedCodes: [],
  fields: [{ name: '', dataType: 'string', sensitivity: 'none', grade: 'L1' }],
};

const OPTIONAL_TEXT = [
  'nameEn',
  'classDetail',
  'sharingConditions',
  'sharingBasis',
  'openConditions',
  'publishDate',
  'domain',
  'licence',
  'contactName',
  'contactPhone',
  'contactEmail',
  'spatialCoverage',
  'divisionCode',
  'temporalStart',
  'temporalEnd',
] as const;

/** Empty optional inputs are sent as null (the API distinguishes "not given" from "cleared"). */
function toInput(v: FormValues): ResourceInput {
  const out: ResourceInput = {
    ...v,
    fields: v.fields.map((f) => ({
      ...f,
      nameEn: f.nameEn || null,
      description: f.description || null,
      length: f.length ?? null,
    })),
  };
  for (const k of OPTIONAL_TEXT) {
    const x = out[k];
    if (x === undefined || x === '' || (typeof x === 'string' && x.trim() === '')) out[k] = null;
  }
  return out;
}

/** "fields/0/name" → ['fields', 0, 'name'] (the API's JSON-pointer-like field paths). */
function fieldPath(p: string): (string | number)[] {
  return p.split('/').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Create or edit a resource: every catalogue metadata element and the 信息项 editor. */
export default function ResourceEditor() {
  const { id } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { data: me } = useMe();
  const departments = useDepartments();
  const [form] = Form.useForm<FormValues>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [msg, holder] = message.useMessage();
  const existing = useQuery({
    queryKey: ['resource', id],
    queryFn: () => get<Resource>(`/api/v1/resources/${id}`),
    enabled: !!id,
  });
  const opts = {
    class_category: useVocabOptions('class_category'),
    format: useVocabOptions('format'),
    sharing_type: useVocabOptions('sharing_type'),
    sharing_method: useVocabOptions('sharing_method'),
    open_type: useVocabOptions('open_type'),
    update_cycle: useVocabOptions('update_cycle'),
    grade: useVocabOptions('grade'),
    domain: useVocabOptions('domain'),
    topic: useVocabOptions('topic'),
    licence: useVocabOptions('licence'),
    data_type: useVocabOptions('data_type'),
    sensitivity: useVocabOptions('sensitivity'),
  };
  useEffect(() => {
    if (existing.data) form.setFieldsValue(existing.data as unknown as FormValues);
  }, [existing.data, form]);
  const sharingType = Form.useWatch('sharingType', form);
  const openType = Form.useWatch('openType', form);

  if (id && existing.isLoading) return <Loading />;

  const onFinish = async (v: FormValues) => {
    setSaving(true);
    setError(null);
    try {
      const input = toInput(v);
      let saved: Resource;
      if (id && existing.data) {
        const { providerId: _p, ...rest } = input;
        saved = await patch<Resource>(`/api/v1/resources/${id}`, { ...rest, revision: existing.data.revision });
      } else {
        saved = await post<Resource>('/api/v1/resources', input);
        void msg.success(t('console.created'));
      }
      qc.setQueryData(['resource', saved.id], saved);
      await qc.invalidateQueries({ queryKey: ['resources'] });
      await navigate(`/console/resources/${saved.id}`);
    } catch (e) {
      if (e instanceof ApiError) {
        setError(e.message);
        const list = e.errors ?? (e.field ? [{ field: e.field, message: e.message }] : []);
        form.setFields(list.map((x) => ({ name: fieldPath(x.field) as never, errors: [x.message] })));
      } else setError(String(e));
    } finally {
      setSaving(false);
    }
  };

  const req = [{ required: true }];
  const deptOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
  const initial: Partial<FormValues> = { ...DEFAULTS, providerId: me?.departmentId ?? undefined };
  return (
    <>
      {holder}
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {id ? t('console.editResource') : t('console.newResource')}
      </Typography.Title>
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" data-testid="form-error" />
      )}
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => void onFinish(v)}
        scrollToFirstError
      >
        <Card title={t('console.basic')} size="small" style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="name" label={t('meta.name')} rules={req}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="nameEn" label={t('meta.nameEn')}>
                <Input maxLength={300} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="providerId" label={t('meta.provider')} rules={req}>
                <Select options={deptOptions} disabled={!!id} showSearch={{ optionFilterProp: 'label' }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="domain" label={t('meta.domain')}>
                <Select options={opts.domain} allowClear />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="abstract" label={t('meta.abstract')} rules={req}>
                <Input.TextArea rows={3} maxLength={4000} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="topics" label={t('meta.topics')}>
                <Select mode="multiple" options={opts.topic} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="tags" label={t('meta.tags')}>
                <Select mode="tags" tokenSeparators={[',', '，']} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card title={t('console.classification')} size="small" style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={6}>
              <Form.Item name="classCategory" label={t('meta.classCategory')} rules={req}>
                <Select options={opts.class_category.map((o) => ({ ...o, label: `${o.value} ${o.label}` }))} />
              </Form.Item>
            </Col>
            <Col xs={8} md={6}>
              <Form.Item
                name="classItem"
                label={t('meta.classItem')}
                rules={[{ required: true, pattern: /^\d{2}$/, message: '2 位数字' }]}
              >
                <Input maxLength={2} placeholder="01" />
              </Form.Item>
            </Col>
            <Col xs={8} md={6}>
              <Form.Item
                name="classCatalog"
                label={t('meta.classCatalog')}
                rules={[{ required: true, pattern: /^\d{3}$/, message: '3 位数字' }]}
              >
                <Input maxLength={3} placeholder="001" />
              </Form.Item>
            </Col>
            <Col xs={8} md={6}>
              <Form.Item
                name="classDetail"
                label={t('meta.classDetail')}
                rules={[{ pattern: /^\d{0,6}$/, message: '1–6 位数字' }]}
              >
                <Input maxLength={6} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="format" label={t('meta.format')} rules={req}>
                <Select options={opts.format} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="updateCycle" label={t('meta.updateCycle')} rules={req}>
                <Select options={opts.update_cycle} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="grade" label={t('meta.grade')}>
                <Select options={opts.grade} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card title={t('console.sharing')} size="small" style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item name="sharingType" label={t('meta.sharingType')} rules={req}>
                <Select options={opts.sharing_type} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="sharingMethod" label={t('meta.sharingMethod')} rules={req}>
                <Select options={opts.sharing_method} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="openType" label={t('meta.openType')} rules={req}>
                <Select options={opts.open_type} />
              </Form.Item>
            </Col>
            {sharingType && sharingType !== 'unconditional' && (
              <>
                <Col xs={24} md={12}>
                  <Form.Item name="sharingConditions" label={t('meta.sharingConditions')} rules={req}>
                    <Input.TextArea rows={2} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name="sharingBasis" label={t('meta.sharingBasis')} rules={req}>
                    <Input.TextArea rows={2} />
                  </Form.Item>
                </Col>
              </>
            )}
            {openType === 'conditional' && (
              <Col span={24}>
                <Form.Item name="openConditions" label={t('meta.openConditions')} rules={req}>
                  <Input.TextArea rows={2} />
                </Form.Item>
              </Col>
            )}
            <Col xs={24} md={8}>
              <Form.Item name="licence" label={t('meta.licence')}>
                <Select options={opts.licence} allowClear />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="publishDate" label={t('meta.publishDate')}>
                <Input type="date" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="hasApi" label={t('meta.hasApi')} valuePropName="checked">
                <Switch />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="relatedCodes" label={t('meta.relatedCodes')}>
                <Select mode="tags" placeholder="301001/000001" />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card title={t('console.contact')} size="small" style={{ marginBottom: 16 }}>
          <Row gutter={16}>
            <Col xs={24} md={8}>
              <Form.Item name="contactName" label={t('meta.contactName')}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="contactPhone" label={t('meta.contactPhone')}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="contactEmail" label={t('meta.contactEmail')} rules={[{ type: 'email' }]}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="spatialCoverage" label={t('meta.spatialCoverage')}>
                <Input />
              </Form.Item>
            </Col>
            <Col xs={24} md={4}>
              <Form.Item
                name="divisionCode"
                label={t('meta.divisionCode')}
                rules={[{ pattern: /^\d{6}$/, message: '6 位数字' }]}
              >
                <Input maxLength={6} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="temporalStart" label={t('meta.temporalStart')}>
                <Input type="date" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="temporalEnd" label={t('meta.temporalEnd')}>
                <Input type="date" />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <Card title={t('meta.fields')} size="small" style={{ marginBottom: 16 }}>
          <Form.List name="fields">
            {(items, { add, remove, move }) => (
              <>
                {items.map((item, index) => (
                  <Row
                    key={item.key}
                    gutter={8}
                    align="top"
                    data-testid={`field-row-${index}`}
                    style={{ borderBottom: '1px solid #f0f0f0', paddingTop: 8 }}
                  >
                    <Col xs={24} md={5}>
                      <Form.Item name={[item.name, 'name']} label={`${t('field.name')} ${index + 1}`} rules={req}>
                        <Input maxLength={100} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={3}>
                      <Form.Item name={[item.name, 'dataType']} label={t('field.dataType')} rules={req}>
                        <Select options={opts.data_type} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={2}>
                      <Form.Item name={[item.name, 'length']} label={t('field.length')}>
                        <InputNumber min={1} max={1000000} style={{ width: '100%' }} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={5}>
                      <Form.Item name={[item.name, 'description']} label={t('field.description')}>
                        <Input maxLength={1000} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={3}>
                      <Form.Item name={[item.name, 'sensitivity']} label={t('field.sensitivity')}>
                        <Select options={opts.sensitivity} />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={3}>
                      <Form.Item name={[item.name, 'grade']} label={t('field.grade')}>
                        <Select options={opts.grade} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} md={3}>
                      <Form.Item label=" " colon={false}>
                        <Space size={2}>
                          <Button
                            aria-label={`${t('field.up')} ${index + 1}`}
                            icon={<ArrowUpOutlined />}
                            disabled={index === 0}
                            onClick={() => move(index, index - 1)}
                          />
                          <Button
                            aria-label={`${t('field.down')} ${index + 1}`}
                            icon={<ArrowDownOutlined />}
                            disabled={index === items.length - 1}
                            onClick={() => move(index, index + 1)}
                          />
                          <Button
                            aria-label={`${t('field.remove')} ${index + 1}`}
                            danger
                            icon={<DeleteOutlined />}
                            onClick={() => remove(index)}
                          />
                        </Space>
                      </Form.Item>
                    </Col>
                  </Row>
                ))}
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  style={{ marginTop: 8 }}
                  onClick={() => add({ name: '', dataType: 'string', sensitivity: 'none', grade: 'L1' })}
                  data-testid="add-field"
                >
                  {t('field.add')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>
        <Space>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="save-resource">
            {t('common.save')}
          </Button>
          <Button onClick={() => void navigate(id ? `/console/resources/${id}` : '/console')}>
            {t('common.cancel')}
          </Button>
        </Space>
      </Form>
    </>
  );
}
