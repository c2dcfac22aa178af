import { useQuery } from '@tanstack/react-query';
import { Card, Tree, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { get } from '../../api/client.ts';
import type { Department } from '../../api/types.ts';
import { QueryState } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

interface TreeNode {
  key: string;
  title: string;
  children: TreeNode[];
}

export function toTreeData(list: Department[], lang: string): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  for (const d of list)
    nodes.set(d.id, { key: d.id, title: lang === 'en' && d.nameEn ? d.nameEn : d.name, children: [] });
  const roots: TreeNode[] = [];
  for (const d of list) {
    const n = nodes.get(d.id)!;
    const parent = d.parentId ? nodes.get(d.parentId) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}

export default function Departments() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const q = useQuery({ queryKey: ['departments'], queryFn: () => get<Department[]>('/api/v1/departments') });
  return (
    <div className="cd-main">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('dept.title')}
      </Typography.Title>
      <Card>
        <QueryState query={q} empty={(d) => d.length === 0}>
          {(list) => (
            <Tree
              defaultExpandAll
              treeData={toTreeData(list, lang)}
              onSelect={(keys) => {
                if (keys[0]) void navigate(`/departments/${String(keys[0])}`);
              }}
            />
          )}
        </QueryState>
      </Card>
    </div>
  );
}
