import { Layout } from 'antd';
import { Suspense } from 'react';
import { Outlet } from 'react-router';
import { useI18n } from '../i18n/index.tsx';
import { Loading } from './Status.tsx';
import { SiteHeader } from './SiteHeader.tsx';

export function PublicLayout() {
  const { t } = useI18n();
  return (
    <Layout style={{ minHeight: '100vh', background: '#fff' }}>
      <a className="cd-skip" href="#main">
        {t('nav.skip')}
      </a>
      <SiteHeader />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="cd-footer">{t('footer.text')}</footer>
    </Layout>
  );
}
