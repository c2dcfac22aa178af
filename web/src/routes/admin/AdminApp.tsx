import {
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  BookOutlined,
  DashboardOutlined,
  FileProtectOutlined,
  KeyOutlined,
  SettingOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { lazy } from 'react';
import { Link, Route, Routes } from 'react-router';
import type { User } from '../../api/types.ts';
import { ConsoleShell } from '../../components/ConsoleShell.tsx';
import { useI18n } from '../../i18n/index.tsx';

const ReviewQueue = lazy(() => import('./ReviewQueue.tsx'));
const DepartmentsAdmin = lazy(() => import('./DepartmentsAdmin.tsx'));
const UsersAdmin = lazy(() => import('./UsersAdmin.tsx'));
const VocabulariesAdmin = lazy(() => import('./VocabulariesAdmin.tsx'));
const GovernanceReport = lazy(() => import('./GovernanceReport.tsx'));
const SystemStatus = lazy(() => import('./SystemStatus.tsx'));
const ApplicationsReview = lazy(() => import('./ApplicationsReview.tsx'));
const ExchangeSettings = lazy(() => import('./ExchangeSettings.tsx'));
const Grants = lazy(() => import('../console/Grants.tsx'));

export default function AdminApp() {
  const { t } = useI18n();
  const menu = (me: User) => {
    const items = [];
    if (me.role === 'platform_admin' || me.role === 'reviewer')
      items.push({
        key: '/admin/review',
        icon: <AuditOutlined />,
        label: <Link to="/admin/review">{t('admin.review')}</Link>,
      });
    if (me.role === 'platform_admin' || me.role === 'dept_admin') {
      items.push({
        key: '/admin/departments',
        icon: <ApartmentOutlined />,
        label: <Link to="/admin/departments">{t('admin.departments')}</Link>,
      });
      items.push({
        key: '/admin/users',
        icon: <TeamOutlined />,
        label: <Link to="/admin/users">{t('admin.users')}</Link>,
      });
    }
    if (me.role === 'platform_admin')
      items.push({
        key: '/admin/vocabularies',
        icon: <BookOutlined />,
        label: <Link to="/admin/vocabularies">{t('admin.vocabularies')}</Link>,
      });
    if (me.role === 'platform_admin' || me.role === 'reviewer')
      items.push({
        key: '/admin/applications',
        icon: <FileProtectOutlined />,
        label: <Link to="/admin/applications">{t('admin.applications')}</Link>,
      });
    if (me.role === 'platform_admin') {
      items.push({
        key: '/admin/grants',
        icon: <KeyOutlined />,
        label: <Link to="/admin/grants">{t('console.grants')}</Link>,
      });
      items.push({
        key: '/admin/exchange',
        icon: <SettingOutlined />,
        label: <Link to="/admin/exchange">{t('admin.exchangeSettings')}</Link>,
      });
    }
    if (me.role === 'platform_admin' || me.role === 'reviewer')
      items.push({
        key: '/admin/governance',
        icon: <BarChartOutlined />,
        label: <Link to="/admin/governance">{t('admin.governance')}</Link>,
      });
    if (me.role === 'platform_admin')
      items.push({
        key: '/admin/system',
        icon: <DashboardOutlined />,
        label: <Link to="/admin/system">{t('admin.system')}</Link>,
      });
    return items;
  };
  return (
    <ConsoleShell roles={['platform_admin', 'reviewer', 'dept_admin']} menu={menu}>
      <Routes>
        <Route index element={<ReviewQueue />} />
        <Route path="review" element={<ReviewQueue />} />
        <Route path="departments" element={<DepartmentsAdmin />} />
        <Route path="users" element={<UsersAdmin />} />
        <Route path="vocabularies" element={<VocabulariesAdmin />} />
        <Route path="governance" element={<GovernanceReport />} />
        <Route path="system" element={<SystemStatus />} />
        <Route path="applications" element={<ApplicationsReview />} />
        <Route path="grants" element={<Grants />} />
        <Route path="exchange" element={<ExchangeSettings />} />
      </Routes>
    </ConsoleShell>
  );
}
