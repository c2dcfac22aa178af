import { CITY_SPECS } from './city.ts';
import { ENTERPRISE } from './enterprise.ts';
import { ENVIRONMENT } from './environment.ts';
import { SOCIETY } from './society.ts';
import type { ResourceSpec } from './spec.ts';
import { TRANSPORT } from './transport.ts';

export const ALL_SPECS: readonly ResourceSpec[] = [
  ...ENVIRONMENT,
  ...TRANSPORT,
  ...ENTERPRISE,
  ...CITY_SPECS,
  ...SOCIETY,
];
