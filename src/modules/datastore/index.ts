export { datastoreRoutes } from './routes.ts';
export { loadHandler, removeOrphanFiles, startLoad, safeFileName, type LoadPayload, type LoadReport } from './loads.ts';
export {
  readableTable,
  logExchange,
  jsonBytes,
  useGrantLookup,
  type ReadableTable,
  type ActiveGrant,
  type GrantLookup,
  type ExchangeEntry,
} from './read.ts';
export { datastoreRepo } from './repository.ts';
