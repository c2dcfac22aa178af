import { Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/index.tsx';

/** Time left until an SLA deadline, refreshed every minute; overdue turns red (the server escalates it). */
export function SlaCountdown({ due }: { due: string | null }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 60_000);
    return () => window.clearInterval(timer);
  }, []);
  if (!due) return null;
  const ms = Date.parse(due) - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const span = days > 0 ? t('sla.dh', { d: days, h: hours }) : t('sla.hm', { h: hours, m: minutes });
  const colour = ms < 0 ? 'error' : ms < 86_400_000 ? 'warning' : 'processing';
  return (
    <Tag color={colour} title={due} data-testid="sla">
      {ms < 0 ? t('sla.overdue', { t: span }) : t('sla.left', { t: span })}
    </Tag>
  );
}
