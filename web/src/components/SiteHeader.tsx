import { DownOutlined, GlobalOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Dropdown, Grid, Menu, type MenuProps } from 'antd';
import { Link, useLocation, useNavigate } from 'react-router';
import { post } from '../api/client.ts';
import { isAdmin, isStaff, useMe } from '../api/hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { NotificationsBell } from './NotificationsBell.tsx';

/** The header shared by the public site and the consoles: navigation, language switch and the user menu. */
export function SiteHeader() {
  const { t, lang, setLang } = useI18n();
  const { data: me } = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const screens = Grid.useBreakpoint();
  // On phones the horizontal menu would hide items in an aria-hidden overflow list that still holds focusable
  // links (an antd quirk axe flags): a menu button instead.
  const narrow = screens.md === false;
  const top = '/' + (location.pathname.split('/')[1] ?? '');
  const items: MenuProps['items'] = [
    { key: '/', label: <Link to="/">{t('nav.home')}</Link> },
    { key: '/datasets', label: <Link to="/datasets">{t('nav.catalogue')}</Link> },
    { key: '/departments', label: <Link to="/departments">{t('nav.departments')}</Link> },
    { key: '/api/docs', label: <a href="/api/docs">{t('nav.apiDocs')}</a> },
  ];
  if (isStaff(me)) items.push({ key: '/console', label: <Link to="/console">{t('nav.console')}</Link> });
  if (isAdmin(me)) items.push({ key: '/admin', label: <Link to="/admin">{t('nav.admin')}</Link> });
  const logout = async () => {
    try {
      await post('/api/v1/auth/logout');
    } finally {
      qc.setQueryData(['me'], null);
      await qc.invalidateQueries();
      await navigate('/');
    }
  };
  const userMenu: MenuProps['items'] = [
    { key: 'account', label: <Link to="/account">{t('nav.account')}</Link> },
    { key: 'logout', label: t('nav.logout'), onClick: () => void logout() },
  ];
  return (
    <header className="cd-header">
      <Link to="/" className="cd-brand">
        {t('app.title')}
      </Link>
      <nav aria-label={t('nav.home')} style={{ flex: 1, minWidth: 0 }}>
        {narrow ? (
          <Dropdown menu={{ items, selectedKeys: [top] }} trigger={['click']}>
            <Button type="text" icon={<MenuOutlined />} style={{ color: '#fff' }} aria-label={t('nav.catalogue')} />
          </Dropdown>
        ) : (
          <Menu
            theme="dark"
            mode="horizontal"
            selectedKeys={[top]}
            items={items}
            style={{ background: 'transparent' }}
          />
        )}
      </nav>
      <div className="cd-header-right">
        <Button
          type="text"
          icon={<GlobalOutlined />}
          style={{ color: '#fff' }}
          title={t('nav.languageLabel')}
          data-testid="lang-switch"
          onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
        >
          <span lang={lang === 'zh' ? 'en' : 'zh-CN'}>{t('nav.language')}</span>
        </Button>
        {me && <NotificationsBell />}
        {me ? (
          <Dropdown menu={{ items: userMenu }} trigger={['click']}>
            <Button type="text" style={{ color: '#fff' }} icon={<UserOutlined />} data-testid="user-menu">
              {me.displayName || me.username} <DownOutlined />
            </Button>
          </Dropdown>
        ) : (
          <Link to="/login" style={{ color: '#fff' }}>
            {t('nav.login')}
          </Link>
        )}
      </div>
    </header>
  );
}
