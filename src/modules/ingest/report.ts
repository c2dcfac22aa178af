import type { ColumnType, Rejection, RejectionCode } from './types.ts';

function field(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  // Spreadsheet formula injection: the report is opened in Excel by the people who uploaded.
  if (/^[=+@\t\r]/.test(s) || /^-[^\d.]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export type ReportLang = 'zh' | 'en';

/**
 * The downloadable report's words. The portal has the same in web/src/i18n (reject.*, coltype.*): the report is a
 * file opened in Excel, so the server words it, in the language the portal asks for (Chinese unless told).
 */
const WORDS: Record<
  ReportLang,
  {
    header: string[];
    problems: Record<RejectionCode, string>;
    nulled: string;
    failed: string;
    types: Record<ColumnType, string>;
  }
> = {
  zh: {
    header: ['行号', '列', '值', '问题', '原文'],
    problems: {
      missing_columns: '字段数少于表头',
      too_many_columns: '字段数多于表头',
      unquoted_value: '引号使用不当',
      line_too_long: '行超过最大长度',
      invalid_unicode: '含无效的字符编码',
      bad_value: '不是有效的{type}，该行未导入',
      cast_failed: '值与列的类型不符',
      not_json_object: '记录不是 JSON 对象',
      invalid_feature: '不是有效的 GeoJSON 要素',
      invalid_geometry: '几何对象无效',
      unreadable_row: '无法读取此行',
    },
    nulled: '不是有效的{type}，已存为空值',
    failed: '导入失败，当前版本未变',
    types: { integer: '整数', decimal: '小数', boolean: '布尔值', date: '日期', datetime: '日期时间', text: '文本' },
  },
  en: {
    header: ['row', 'column', 'value', 'problem', 'reason'],
    problems: {
      missing_columns: 'Fewer fields than the header',
      too_many_columns: 'More fields than the header',
      unquoted_value: 'Misplaced quote',
      line_too_long: 'Line longer than the maximum',
      invalid_unicode: 'Invalid character encoding',
      bad_value: 'Not a valid {type}; row not loaded',
      cast_failed: 'Value does not fit the column type',
      not_json_object: 'Record is not a JSON object',
      invalid_feature: 'Not a valid GeoJSON feature',
      invalid_geometry: 'Invalid geometry',
      unreadable_row: 'Row could not be read',
    },
    nulled: 'Not a valid {type}; stored as empty',
    failed: 'The load failed; the current version is unchanged',
    types: {
      integer: 'integer',
      decimal: 'decimal',
      boolean: 'boolean',
      date: 'date',
      datetime: 'date and time',
      text: 'text',
    },
  },
};

/** A rejection as stored in a version's report: one stored before codes were given has only its reason. */
export type StoredRejection = Omit<Rejection, 'code'> & { code?: RejectionCode };

/** A rejection's problem in the report's language (its reason when it has no code, or one without words). */
function problem(x: StoredRejection, lang: ReportLang): string {
  const w = WORDS[lang];
  const text = x.code === 'bad_value' && x.params?.nulled ? w.nulled : x.code ? w.problems[x.code] : undefined;
  if (text === undefined) return x.reason;
  const type = String(x.params?.type ?? '');
  return text.replace('{type}', w.types[type as ColumnType] ?? type);
}

/** Why a load failed, as its job keeps it: the message and, when the error names them, where. */
export interface LoadFailure {
  message: string;
  row?: unknown;
  column?: unknown;
  value?: unknown;
}

const cell = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? v : null);

/**
 * The downloadable rejection report: UTF-8 with a BOM so Excel shows Chinese text correctly. A failed load's report
 * has one line saying so, with the error's place and message.
 */
export function rejectionsToCsv(r: StoredRejection[], lang: ReportLang = 'zh', failure?: LoadFailure): string {
  const lines = [
    WORDS[lang].header.join(','),
    ...r.map((x) => [x.row, x.column, x.value, problem(x, lang), x.reason].map(field).join(',')),
    ...(failure
      ? [
          [cell(failure.row), cell(failure.column), cell(failure.value), WORDS[lang].failed, failure.message]
            .map(field)
            .join(','),
        ]
      : []),
  ];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
