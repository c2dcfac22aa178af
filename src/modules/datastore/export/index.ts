export { exportRows, GEOMETRY_COLUMN, type ExportOptions, type ExportResult } from './export.ts';
export {
  contentDisposition,
  contentTypeFor,
  fileExtension,
  EXPORT_FORMATS,
  type CsvEncoding,
  type ExportFormat,
} from './headers.ts';
