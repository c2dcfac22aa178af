import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Card, Checkbox, Col, Empty, Input, Pagination, Row, Select, Space, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { useDepartmentName, useLabel } from '../../api/hooks.ts';
import { FACETS, FACET_VOCAB, searchCatalogue, type Facet, type SearchParams } from '../../api/search.ts';
import { ResourceList } from '../../components/ResourceList.tsx';
import { ErrorAlert } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

const SORTS = ['relevance', 'updated', 'name', 'popularity'] as const;

/** The catalogue with facets; all state lives in the URL so results can be linked and the back button works. */
export default function Search() {
  const { t } = useI18n();
  const label = useLabel();
  const deptName = useDepartmentName();
  const [sp, setSp] = useSearchParams();
  const q = sp.get('q') ?? '';
  const sortParam = sp.get('sort');
  const sort: SearchParams['sort'] = SORTS.includes(sortParam as SearchParams['sort'])
    ? (sortParam as SearchParams['sort'])
    : q
      ? 'relevance'
      : 'updated';
  const page = Math.max(1, Number(sp.get('page') ?? '1') || 1);
  const pageSize = 10;
  const filters: SearchParams['filters'] = {};
  for (const f of FACETS) {
    const v = sp.get(f);
    if (v) filters[f] = v.split(',');
  }
  const params: SearchParams = { q, filters, sort, page, pageSize };
  const result = useQuery({
    queryKey: ['search', params],
    queryFn: () => searchCatalogue(params),
    placeholderData: keepPreviousData,
  });

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(sp);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (!('page' in changes)) next.delete('page');
    setSp(next);
  };
  const facetLabel = (f: Facet, value: string) => {
    const kind = FACET_VOCAB[f];
    return kind ? label(kind, value) : deptName(value);
  };
  const facetTitle: Record<Facet, string> = {
    domain: t('facet.domain'),
    department: t('facet.department'),
    openType: t('facet.openType'),
    format: t('facet.format'),
    grade: t('facet.grade'),
    updateCycle: t('facet.updateCycle'),
  };
  const hasFilters = FACETS.some((f) => filters[f]?.length);

  return (
    <div className="cd-main">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t('search.title')}
      </Typography.Title>
      <Input.Search
        defaultValue={q}
        key={q}
        allowClear
        enterButton={t('common.search')}
        placeholder={t('search.placeholder')}
        aria-label={t('search.placeholder')}
        data-testid="search-input"
        onSearch={(v) => update({ q: v.trim() || null, sort: null })}
        style={{ marginBottom: 16 }}
      />
      <Row gutter={[24, 16]}>
        <Col xs={24} md={7}>
          <section aria-label={t('search.filters')}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              {hasFilters && (
                <Button onClick={() => update(Object.fromEntries(FACETS.map((f) => [f, null])))}>
                  {t('search.clear')}
                </Button>
              )}
              {FACETS.map((f) => {
                const values = result.data?.facets[f] ?? [];
                if (values.length === 0 && !filters[f]?.length) return null;
                return (
                  <Card key={f} size="small" title={<h2 style={{ fontSize: 14, margin: 0 }}>{facetTitle[f]}</h2>}>
                    <Checkbox.Group
                      value={filters[f] ?? []}
                      onChange={(v) => update({ [f]: (v as string[]).join(',') || null })}
                      style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
                      options={values.map((v) => ({
                        value: v.value,
                        label: (
                          <span>
                            {facetLabel(f, v.value)} <span style={{ color: '#595959' }}>({v.count})</span>
                          </span>
                        ),
                      }))}
                    />
                  </Card>
                );
              })}
            </Space>
          </section>
        </Col>
        <Col xs={24} md={17}>
          <Space style={{ width: '100%', justifyContent: 'space-between', flexWrap: 'wrap' }}>
            <span data-testid="result-count">{t('search.results', { n: result.data?.total ?? 0 })}</span>
            <Space>
              <label htmlFor="cd-sort">{t('search.sort')}</label>
              <Select
                id="cd-sort"
                value={sort}
                style={{ width: 140 }}
                onChange={(v) => update({ sort: v })}
                options={[
                  { value: 'relevance', label: t('search.sortRelevance') },
                  { value: 'updated', label: t('search.sortUpdated') },
                  { value: 'name', label: t('search.sortName') },
                  { value: 'popularity', label: t('search.sortPopularity') },
                ]}
              />
            </Space>
          </Space>
          {result.error ? (
            <ErrorAlert error={result.error} />
          ) : !result.isLoading && (result.data?.items.length ?? 0) === 0 ? (
            <Empty description={t('common.empty')} style={{ marginTop: 48 }} />
          ) : (
            <ResourceList items={result.data?.items ?? []} loading={result.isLoading} />
          )}
          <Pagination
            current={page}
            pageSize={pageSize}
            total={result.data?.total ?? 0}
            showSizeChanger={false}
            hideOnSinglePage
            onChange={(p) => update({ page: String(p) })}
            style={{ marginTop: 16, textAlign: 'right' }}
          />
        </Col>
      </Row>
    </div>
  );
}
