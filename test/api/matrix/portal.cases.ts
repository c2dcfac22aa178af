import { ALL, type Case } from './types.ts';

/** Search answers everyone, filtered to what each caller may see (tested in test/search-api). */
export const CASES: Case[] = [
  {
    method: 'GET',
    url: '/api/v1/system/status',
    allowed: ['platform_admin'],
    make: async () => ({ url: '/api/v1/system/status' }),
  },
  { method: 'GET', url: '/api/v1/stats', allowed: ALL, make: async () => ({ url: '/api/v1/stats' }) },
  {
    method: 'GET',
    url: '/api/v1/search',
    allowed: ALL,
    make: async () => ({ url: '/api/v1/search?q=%E7%A9%BA%E6%B0%94' }),
  },
];
