import { Layout, Menu, type MenuProps } from 'antd';
import { Suspense, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useMe } from '../api/hooks.ts';
import type { Role, User } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { SiteHeader } from './SiteHeader.tsx';
import { Loading } from './Status.tsx';

/** Layout of the department and admin consoles: signed-in users of the allowed roles only. */
export function ConsoleShell({
  roles,
  menu,
  children,
}: {
  roles: Role[];
  menu: (me: User) => MenuProps['items'];
  children: ReactNode;
}) {
  const { t } = useI18n();
  const me = useMe();
  const location = useLocation();
  if (me.isLoading) return <Loading />;
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (!roles.includes(me.data.role)) return <Navigate to="/" replace />;
  const items = menu(me.data) ?? [];
  const selected = items
    .map((i) => String(i?.key ?? ''))
    .filter((k) => location.pathname === k || location.pathname.startsWith(k + '/'))
    .sort((a, b) => b.length - a.length)[0];
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="cd-skip" href="#main">
        {t('nav.skip')}
      </a>
      <SiteHeader />
      <Layout>
        <Layout.Sider breakpoint="md" collapsedWidth={0} theme="light" width={200}>
          <nav aria-label="console">
            <Menu mode="inline" selectedKeys={selected ? [selected] : []} items={items} style={{ height: '100%' }} />
          </nav>
        </Layout.Sider>
        <Layout.Content style={{ padding: 24, background: '#fff' }}>
          <main id="main" tabIndex={-1}>
            <Suspense fallback={<Loading />}>{children}</Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
