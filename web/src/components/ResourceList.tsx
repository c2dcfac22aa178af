import { List, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useDepartmentName, useLabel } from '../api/hooks.ts';
import type { Resource } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';

const OPEN_COLORS: Record<string, string> = { unconditional: 'success', conditional: 'warning', none: 'default' };

export function StatusTag({ status }: { status: string }) {
  const { tx } = useI18n();
  const colors: Record<string, string> = {
    draft: 'default',
    pending_review: 'processing',
    returned: 'warning',
    published: 'success',
    withdrawn: 'error',
  };
  return <Tag color={colors[status] ?? 'default'}>{tx(`status.${status}`, status)}</Tag>;
}

/** Escapes a snippet but keeps the <em> marks of the search service's highlights. */
function Highlight({ html }: { html: string }) {
  const parts = html.split(/<\/?em>/);
  return (
    <span className="cd-highlight">
      {parts.map((p, i) => {
        const text = p
          .replaceAll('&lt;', '<')
          .replaceAll('&gt;', '>')
          .replaceAll('&quot;', '"')
          .replaceAll('&amp;', '&');
        return i % 2 === 1 ? <em key={i}>{text}</em> : <span key={i}>{text}</span>;
      })}
    </span>
  );
}

export function ResourceItem({ r }: { r: Resource & { highlights?: string[] } }) {
  const label = useLabel();
  const dept = useDepartmentName();
  const { lang } = useI18n();
  const name = lang === 'en' && r.nameEn ? r.nameEn : r.name;
  return (
    <List.Item>
      <List.Item.Meta
        title={
          <Link to={`/datasets/${r.id}`} data-testid="dataset-link">
            {name}
          </Link>
        }
        description={
          <Space orientation="vertical" size={4} style={{ width: '100%' }}>
            <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, color: '#4a4a4a' }}>
              {r.highlights?.length ? <Highlight html={r.highlights[r.highlights.length - 1]!} /> : r.abstract}
            </Typography.Paragraph>
            <Space size={[4, 4]} wrap>
              <Tag>{r.providerName || dept(r.providerId)}</Tag>
              {r.domain && <Tag color="processing">{label('domain', r.domain)}</Tag>}
              <Tag color={OPEN_COLORS[r.openType]}>{label('open_type', r.openType)}</Tag>
              <Tag>{label('format', r.format)}</Tag>
              <Tag>{label('update_cycle', r.updateCycle)}</Tag>
              <span style={{ color: '#595959', fontSize: 12 }}>{r.updatedAt?.slice(0, 10)}</span>
            </Space>
          </Space>
        }
      />
    </List.Item>
  );
}

export function ResourceList({
  items,
  loading,
}: {
  items: (Resource & { highlights?: string[] })[];
  loading?: boolean;
}) {
  return (
    <List
      loading={loading}
      itemLayout="vertical"
      dataSource={items}
      rowKey="id"
      renderItem={(r) => <ResourceItem r={r} />}
    />
  );
}
