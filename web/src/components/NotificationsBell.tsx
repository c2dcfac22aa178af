import { BellOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Dropdown, type MenuProps } from 'antd';
import { getOptional, post } from '../api/client.ts';
import type { AppNotification } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';

/** The signed-in user's inbox (GET /api/v1/notifications): overdue updates, application decisions, SLA alerts. */
export function NotificationsBell() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['notifications'],
    queryFn: () => getOptional<{ items: AppNotification[]; unread: number }>('/api/v1/notifications', { limit: 10 }),
    refetchInterval: 60_000,
  });
  const read = useMutation({
    mutationFn: (id: string) => post(`/api/v1/notifications/${id}/read`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  });
  if (!q.data) return null;
  const unread = q.data.unread;
  const items: MenuProps['items'] = q.data.items.length
    ? q.data.items.map((n) => ({
        key: n.id,
        label: (
          <div style={{ maxWidth: 320, whiteSpace: 'normal', fontWeight: n.readAt ? 400 : 600 }}>
            <div>{n.title}</div>
            <div style={{ fontSize: 12, color: '#595959' }}>
              {n.createdAt.replace('T', ' ').slice(0, 16)} {n.body}
            </div>
          </div>
        ),
        onClick: () => {
          if (!n.readAt) read.mutate(n.id);
        },
      }))
    : [{ key: 'none', label: t('notify.none'), disabled: true }];
  return (
    // The count sits outside the button: inside, its digits would not match the button's accessible name.
    <Badge count={unread} size="small" offset={[-6, 6]}>
      <Dropdown menu={{ items }} trigger={['click']}>
        <Button
          type="text"
          style={{ color: '#fff' }}
          aria-label={t('notify.label', { n: unread })}
          data-testid="notifications"
          icon={<BellOutlined style={{ color: '#fff' }} />}
        />
      </Dropdown>
    </Badge>
  );
}
