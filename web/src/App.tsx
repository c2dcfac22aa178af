import { ConfigProvider, Result } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect } from 'react';
import { Route, Routes } from 'react-router';
import { PublicLayout } from './components/PublicLayout.tsx';
import { Loading } from './components/Status.tsx';
import { useI18n } from './i18n/index.tsx';

// Each area is its own chunk: the public pages never download the console, admin, chart or map code.
const Home = lazy(() => import('./routes/public/Home.tsx'));
const Search = lazy(() => import('./routes/public/Search.tsx'));
const Dataset = lazy(() => import('./routes/public/Dataset.tsx'));
const Departments = lazy(() => import('./routes/public/Departments.tsx'));
const DepartmentPage = lazy(() => import('./routes/public/DepartmentPage.tsx'));
const Login = lazy(() => import('./routes/public/Login.tsx'));
const Register = lazy(() => import('./routes/public/Register.tsx'));
const Account = lazy(() => import('./routes/public/Account.tsx'));
const ConsoleApp = lazy(() => import('./routes/console/ConsoleApp.tsx'));
const AdminApp = lazy(() => import('./routes/admin/AdminApp.tsx'));

// antd's default secondary and placeholder greys (45% black) fail WCAG AA contrast on white; 65% passes.
const THEME = {
  token: {
    colorPrimary: '#0b57d0',
    colorLink: '#0b57d0',
    // antd derives lighter hover shades (#2f78de: 4.3:1 against white); hovering must not drop below AA.
    colorPrimaryHover: '#0842a0',
    colorPrimaryActive: '#062f73',
    colorLinkHover: '#0842a0',
    colorLinkActive: '#062f73',
    // Status colours dark enough for text on their own light backgrounds (tags, alerts).
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorError: '#cf1322',
    colorInfo: '#0b57d0',
    // Palettes derived from dark seeds come out grey: keep the usual light backgrounds.
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    colorWarningBg: '#fff7e6',
    colorWarningBorder: '#ffd591',
    colorErrorBg: '#fff1f0',
    colorErrorBorder: '#ffccc7',
    colorInfoBg: '#e6f4ff',
    colorInfoBorder: '#91caff',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
  },
};

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title="404" subTitle={t('common.notFound')} />;
}

export function App() {
  const { lang } = useI18n();
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={THEME} button={{ autoInsertSpace: false }}>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/console/*" element={<ConsoleApp />} />
          <Route path="/admin/*" element={<AdminApp />} />
          <Route element={<PublicLayout />}>
            <Route index element={<Home />} />
            <Route path="datasets" element={<Search />} />
            <Route path="datasets/:id" element={<Dataset />} />
            <Route path="departments" element={<Departments />} />
            <Route path="departments/:id" element={<DepartmentPage />} />
            <Route path="login" element={<Login />} />
            <Route path="register" element={<Register />} />
            <Route path="account" element={<Account />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </Suspense>
    </ConfigProvider>
  );
}
