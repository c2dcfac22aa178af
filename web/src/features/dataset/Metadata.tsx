import { Descriptions, Space, Table, Tag } from 'antd';
import { Link } from 'react-router';
import { useLabel } from '../../api/hooks.ts';
import type { Field, Resource } from '../../api/types.ts';
import { StatusTag } from '../../components/ResourceList.tsx';
import { useI18n } from '../../i18n/index.tsx';

export function MetadataView({ r }: { r: Resource }) {
  const { t } = useI18n();
  const label = useLabel();
  const v = (s: string | null | undefined) => s || '—';
  const items = [
    { key: 'code', label: t('meta.code'), children: r.code },
    { key: 'name', label: t('meta.name'), children: r.name },
    { key: 'nameEn', label: t('meta.nameEn'), children: v(r.nameEn) },
    {
      key: 'provider',
      label: t('meta.provider'),
      children: <Link to={`/departments/${r.providerId}`}>{r.providerName || r.providerId}</Link>,
    },
    {
      key: 'class',
      label: t('meta.classification'),
      children: `${label('class_category', r.classCategory)} · ${r.classificationCode ?? `${r.classCategory}${r.classItem}${r.classCatalog}`}`,
    },
    { key: 'format', label: t('meta.format'), children: label('format', r.format) },
    { key: 'sharingType', label: t('meta.sharingType'), children: label('sharing_type', r.sharingType) },
    { key: 'sharingMethod', label: t('meta.sharingMethod'), children: label('sharing_method', r.sharingMethod) },
    { key: 'openType', label: t('meta.openType'), children: label('open_type', r.openType) },
    { key: 'updateCycle', label: t('meta.updateCycle'), children: label('update_cycle', r.updateCycle) },
    { key: 'grade', label: t('meta.grade'), children: label('grade', r.grade) },
    { key: 'domain', label: t('meta.domain'), children: v(label('domain', r.domain)) },
    {
      key: 'topics',
      label: t('meta.topics'),
      children: r.topics.length ? r.topics.map((x) => <Tag key={x}>{label('topic', x)}</Tag>) : '—',
    },
    { key: 'tags', label: t('meta.tags'), children: r.tags.length ? r.tags.map((x) => <Tag key={x}>{x}</Tag>) : '—' },
    { key: 'licence', label: t('meta.licence'), children: v(label('licence', r.licence)) },
    { key: 'publishDate', label: t('meta.publishDate'), children: v(r.publishDate ?? r.publishedAt?.slice(0, 10)) },
    { key: 'updatedAt', label: t('meta.updatedAt'), children: r.updatedAt.slice(0, 10) },
    {
      key: 'temporal',
      label: t('meta.temporal'),
      children: r.temporalStart || r.temporalEnd ? `${v(r.temporalStart)} ~ ${v(r.temporalEnd)}` : '—',
    },
    { key: 'spatial', label: t('meta.spatialCoverage'), children: v(r.spatialCoverage) },
    { key: 'division', label: t('meta.divisionCode'), children: v(r.divisionCode) },
    { key: 'contactName', label: t('meta.contactName'), children: v(r.contactName) },
    { key: 'contactPhone', label: t('meta.contactPhone'), children: v(r.contactPhone) },
    { key: 'contactEmail', label: t('meta.contactEmail'), children: v(r.contactEmail) },
    { key: 'status', label: t('meta.status'), children: <StatusTag status={r.status} /> },
    { key: 'abstract', label: t('meta.abstract'), children: r.abstract, span: 'filled' as const },
  ];
  if (r.sharingConditions) items.push({ key: 'sc', label: t('meta.sharingConditions'), children: r.sharingConditions });
  if (r.sharingBasis) items.push({ key: 'sb', label: t('meta.sharingBasis'), children: r.sharingBasis });
  if (r.openConditions) items.push({ key: 'oc', label: t('meta.openConditions'), children: r.openConditions });
  if (r.relatedCodes.length)
    items.push({
      key: 'rel',
      label: t('meta.relatedCodes'),
      children: <Space wrap>{r.relatedCodes.join(', ')}</Space>,
    });
  return (
    <Descriptions
      bordered
      size="small"
      column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 3 }}
      items={items}
      data-testid="metadata"
    />
  );
}

export function FieldTable({ fields }: { fields: Field[] }) {
  const { t } = useI18n();
  const label = useLabel();
  return (
    <Table<Field>
      size="small"
      rowKey={(f) => f.id ?? f.name}
      dataSource={fields}
      pagination={false}
      scroll={{ x: 'max-content' }}
      data-testid="field-table"
      columns={[
        { title: '#', render: (_v, _f, i) => i + 1, width: 48 },
        { title: t('field.name'), dataIndex: 'name' },
        { title: t('field.nameEn'), dataIndex: 'nameEn', render: (x: string | null) => x ?? '' },
        { title: t('field.dataType'), dataIndex: 'dataType', render: (x: string) => label('data_type', x) },
        { title: t('field.length'), dataIndex: 'length', render: (x: number | null) => x ?? '' },
        { title: t('field.description'), dataIndex: 'description', render: (x: string | null) => x ?? '' },
        {
          title: t('field.sensitivity'),
          dataIndex: 'sensitivity',
          render: (x: string) => (x && x !== 'none' ? label('sensitivity', x) : ''),
        },
        { title: t('field.grade'), dataIndex: 'grade', render: (x: string) => label('grade', x) },
      ]}
    />
  );
}
