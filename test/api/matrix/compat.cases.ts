import { ALL, DATA_READERS, type Case } from './types.ts';

/**
 * The CKAN Action API: one route per prefix and method dispatches every action, so each row exercises a different
 * action. The fixture resource is published but neither shared nor open: only its department, reviewers and admins
 * see it (others get CKAN's 404 Not Found Error; CKAN has no 401).
 */
export const CASES: Case[] = [
  {
    method: 'GET',
    url: '/api/3/action/:action',
    allowed: DATA_READERS,
    make: async (f) => ({ url: `/api/3/action/datastore_search?resource_id=${f.data.resourceId}&limit=1` }),
  },
  {
    method: 'POST',
    url: '/api/3/action/:action',
    allowed: DATA_READERS,
    make: async (f) => ({ url: '/api/3/action/package_show', payload: { id: f.data.resourceId } }),
  },
  {
    method: 'GET',
    url: '/api/action/:action',
    allowed: ALL,
    make: async () => ({ url: '/api/action/package_search?q=%E7%A9%BA%E6%B0%94&include_private=true' }),
  },
  {
    method: 'POST',
    url: '/api/action/:action',
    allowed: DATA_READERS,
    make: async (f) => ({
      url: '/api/action/datastore_search',
      payload: { resource_id: f.data.resourceId, filters: { 站点: '甲站' } },
    }),
  },
];
