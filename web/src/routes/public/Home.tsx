import { useQuery } from '@tanstack/react-query';
import { Card, Col, Input, Row, Statistic, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import { get } from '../../api/client.ts';
import { searchCatalogue } from '../../api/search.ts';
import { useDepartments, useVocab } from '../../api/hooks.ts';
import type { Page, PortalStats, Resource } from '../../api/types.ts';
import { ResourceList } from '../../components/ResourceList.tsx';
import { useI18n } from '../../i18n/index.tsx';

export default function Home() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const domains = useVocab('domain').filter((d) => d.active);
  const departments = useDepartments();
  const newest = useQuery({
    queryKey: ['resources', 'newest'],
    queryFn: () => get<Page<Resource>>('/api/v1/resources', { status: 'published', sort: 'updated', limit: 6 }),
  });
  const popular = useQuery({
    queryKey: ['resources', 'popular'],
    queryFn: () => get<Page<Resource>>('/api/v1/resources', { status: 'published', sort: 'popularity', limit: 6 }),
  });
  const stats = useQuery({
    queryKey: ['stats'],
    queryFn: () => get<PortalStats>('/api/v1/stats'),
    staleTime: 60_000,
  });
  // Per-domain counts come from the search facets (one query, only what the visitor may see).
  const facets = useQuery({
    queryKey: ['search', 'domain-facets'],
    queryFn: () => searchCatalogue({ q: '', filters: {}, sort: 'relevance', page: 1, pageSize: 1 }),
    staleTime: 60_000,
  });
  const byDomain = new Map<string, number>((facets.data?.facets?.domain ?? []).map((f) => [f.value, f.count]));
  const figures: { key: string; title: string; value: number | undefined }[] = [
    { key: 'datasets', title: t('home.datasets'), value: stats.data?.datasets },
    { key: 'records', title: t('home.records'), value: stats.data?.records },
    { key: 'departments', title: t('home.departments'), value: stats.data?.departments ?? departments.data?.length },
    { key: 'apiCalls', title: t('home.apiCalls'), value: stats.data?.apiCalls },
  ];

  return (
    <>
      <section className="cd-hero">
        <h1>{t('home.hero')}</h1>
        <p>{t('home.heroSub')}</p>
        <Input.Search
          size="large"
          enterButton={t('home.search')}
          placeholder={t('home.searchPlaceholder')}
          aria-label={t('home.searchPlaceholder')}
          data-testid="home-search"
          onSearch={(q) => void navigate(`/datasets?q=${encodeURIComponent(q)}`)}
        />
      </section>
      <div className="cd-main">
        <Row gutter={[16, 16]}>
          {figures.map((f) => (
            <Col xs={12} md={6} key={f.key}>
              <Card>
                <Statistic
                  title={f.title}
                  value={f.value ?? 0}
                  loading={stats.isLoading}
                  data-testid={`stat-${f.key}`}
                />
              </Card>
            </Col>
          ))}
        </Row>
        <Typography.Title level={2} style={{ marginTop: 32, fontSize: 22 }}>
          {t('home.byDomain')}
        </Typography.Title>
        <Row gutter={[12, 12]}>
          {domains.map((d) => (
            <Col key={d.code} xs={12} sm={8} md={6} lg={4}>
              <Link to={`/datasets?domain=${encodeURIComponent(d.code)}`}>
                <Card hoverable size="small" style={{ textAlign: 'center' }}>
                  <div style={{ fontWeight: 600 }}>{lang === 'zh' ? d.labelZh : d.labelEn}</div>
                  <div style={{ color: '#595959', fontSize: 12 }}>{byDomain.get(d.code) ?? 0}</div>
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
        <Row gutter={[24, 24]} style={{ marginTop: 32 }}>
          <Col xs={24} lg={12}>
            <Card
              title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('home.newest')}</h2>}
              extra={<Link to="/datasets?sort=updated">{t('home.more')}</Link>}
            >
              <ResourceList items={newest.data?.items ?? []} loading={newest.isLoading} />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card
              title={<h2 style={{ fontSize: 18, margin: 0 }}>{t('home.popular')}</h2>}
              extra={<Link to="/datasets?sort=popularity">{t('home.more')}</Link>}
            >
              <ResourceList items={popular.data?.items ?? []} loading={popular.isLoading} />
            </Card>
          </Col>
        </Row>
      </div>
    </>
  );
}
