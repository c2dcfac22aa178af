export type ExportFormat = 'csv' | 'xlsx' | 'json' | 'ndjson' | 'geojson' | 'parquet';
export type CsvEncoding = 'utf8' | 'utf8-bom' | 'gb18030';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'xlsx', 'json', 'ndjson', 'geojson', 'parquet'];

const EXTENSIONS: Record<ExportFormat, string> = {
  csv: 'csv',
  xlsx: 'xlsx',
  json: 'json',
  ndjson: 'ndjson',
  geojson: 'geojson',
  parquet: 'parquet',
};

export function fileExtension(format: ExportFormat): string {
  return EXTENSIONS[format];
}

export function contentTypeFor(format: ExportFormat, encoding: CsvEncoding = 'utf8'): string {
  switch (format) {
    case 'csv':
      return encoding === 'gb18030' ? 'text/csv; charset=GB18030' : 'text/csv; charset=utf-8';
    case 'xlsx':
      return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    case 'json':
      return 'application/json; charset=utf-8';
    case 'ndjson':
      return 'application/x-ndjson; charset=utf-8';
    case 'geojson':
      return 'application/geo+json; charset=utf-8';
    case 'parquet':
      return 'application/vnd.apache.parquet';
  }
}

/** RFC 5987 attr-char: encodeURIComponent leaves ' ( ) * ! unescaped, which RFC 5987 does not allow (except !). */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Content-Disposition (RFC 6266) that keeps a Chinese file name: an ASCII `filename` for old clients and the
 * UTF-8 `filename*` (RFC 5987) that browsers prefer. Written by hand: the `content-disposition` package is not a
 * dependency here, and the rules are short.
 */
export function contentDisposition(filename: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  // Path separators and control characters never belong in a suggested name.
  // eslint-disable-next-line no-control-regex
  const clean = filename.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim() || 'download';
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 ? clean.slice(dot).replace(/[^\x20-\x7e]/g, '') : '';
  let ascii = clean
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["%]/g, '_')
    .trim();
  // A name that was all Chinese leaves only its extension: give the fallback a word before it.
  if (!ascii || ascii === ext || ascii.startsWith('.')) ascii = `download${ext}`;
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(clean)}`;
}
