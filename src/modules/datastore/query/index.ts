export { parseRowsRequest, MAX_IN_VALUES } from './request.ts';
export { buildRowsQuery, type BuiltRowsQuery, type BuildOptions } from './build.ts';
export { runRowsQuery, parquetRowCount, mapQueryError } from './run.ts';
export { toJsonValue, chunkRows, logicalType, type JsonSafe, type BindValue } from './values.ts';
export * from './types.ts';
