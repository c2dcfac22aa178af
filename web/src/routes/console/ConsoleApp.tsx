import {
  FileAddOutlined,
  FileProtectOutlined,
  HistoryOutlined,
  KeyOutlined,
  SafetyCertificateOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { lazy } from 'react';
import { Link, Route, Routes } from 'react-router';
import { ConsoleShell } from '../../components/ConsoleShell.tsx';
import { useI18n } from '../../i18n/index.tsx';

const MyResources = lazy(() => import('./MyResources.tsx'));
const ResourceEditor = lazy(() => import('./ResourceEditor.tsx'));
const ResourceDetail = lazy(() => import('./ResourceDetail.tsx'));
const Applications = lazy(() => import('./Applications.tsx'));
const Grants = lazy(() => import('./Grants.tsx'));
const ExchangeLog = lazy(() => import('./ExchangeLog.tsx'));
const QualityOverview = lazy(() => import('./QualityOverview.tsx'));

export default function ConsoleApp() {
  const { t } = useI18n();
  return (
    <ConsoleShell
      roles={['platform_admin', 'dept_admin', 'steward', 'member', 'reviewer']}
      menu={() => [
        {
          key: '/console',
          icon: <UnorderedListOutlined />,
          label: <Link to="/console">{t('console.myResources')}</Link>,
        },
        {
          key: '/console/resources/new',
          icon: <FileAddOutlined />,
          label: <Link to="/console/resources/new">{t('console.newResource')}</Link>,
        },
        {
          key: '/console/applications',
          icon: <FileProtectOutlined />,
          label: <Link to="/console/applications">{t('console.applications')}</Link>,
        },
        {
          key: '/console/grants',
          icon: <KeyOutlined />,
          label: <Link to="/console/grants">{t('console.grants')}</Link>,
        },
        {
          key: '/console/exchange-log',
          icon: <HistoryOutlined />,
          label: <Link to="/console/exchange-log">{t('console.exchangeLog')}</Link>,
        },
        {
          key: '/console/quality',
          icon: <SafetyCertificateOutlined />,
          label: <Link to="/console/quality">{t('console.quality')}</Link>,
        },
      ]}
    >
      <Routes>
        <Route index element={<MyResources />} />
        <Route path="resources/new" element={<ResourceEditor />} />
        <Route path="resources/:id" element={<ResourceDetail />} />
        <Route path="resources/:id/edit" element={<ResourceEditor />} />
        <Route path="applications" element={<Applications />} />
        <Route path="grants" element={<Grants />} />
        <Route path="exchange-log" element={<ExchangeLog />} />
        <Route path="quality" element={<QualityOverview />} />
      </Routes>
    </ConsoleShell>
  );
}
