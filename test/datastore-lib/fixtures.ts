import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataEngine, quoteLiteral } from '../../src/platform/duckdb/index.ts';
import type { ReadableColumn, TableSource } from '../../src/modules/datastore/query/index.ts';

export interface Fixture {
  dir: string;
  engine: DataEngine;
  /** 10 hand-written rows, every column type, nulls, Chinese text. */
  small: TableSource;
  cleanup(): void;
}

export const SMALL_COLUMNS: ReadableColumn[] = [
  { name: '_id', type: 'integer' },
  { name: '站点', type: 'text' },
  { name: '区', type: 'text' },
  { name: '数值', type: 'decimal' },
  { name: '计数', type: 'integer' },
  { name: '有效', type: 'boolean' },
  { name: '日期', type: 'date' },
  { name: '时间', type: 'datetime' },
  // Masked: only the first character is visible.
  { name: '姓名', type: 'text', expr: `left("姓名", 1) || '**'` },
];

export async function makeFixture(): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-dslib-'));
  const engine = await DataEngine.open({ tempDir: path.join(dir, 'tmp') });
  const smallPath = path.join(dir, 'small.parquet');
  await engine.withConnection(async (conn) => {
    await conn.run(`COPY (SELECT * FROM (VALUES
      (1::BIGINT, '东湖站', '武昌区', 1.5::DOUBLE, 10::BIGINT, true, DATE '2024-01-01', TIMESTAMP '2024-01-01 08:00:00.123456', '张三丰'),
      (2, '西湖站', '汉阳区', 2.5, 20, false, DATE '2024-01-02', TIMESTAMP '2024-01-02 09:00:00', '李四'),
      (3, '南湖站', '武昌区', NULL, 30, true, DATE '2024-01-03', TIMESTAMP '2024-01-03 10:00:00', '王五'),
      (4, '北湖站', '洪山区', 4.5, 9007199254740993, NULL, DATE '2024-01-04', NULL, '赵六'),
      (5, NULL, '武昌区', 5.5, 50, true, NULL, TIMESTAMP '2024-01-05 12:00:00', '钱七'),
      (6, '东湖站', '洪山区', 6.5, 60, false, DATE '2024-01-06', TIMESTAMP '2024-01-06 13:00:00', '孙八'),
      (7, '东湖站', '汉阳区', 7.5, NULL, true, DATE '2024-01-07', TIMESTAMP '2024-01-07 14:00:00', '周九'),
      (8, 'O''Brien "站"', '武昌区', 8.5, 80, true, DATE '2024-01-08', TIMESTAMP '2024-01-08 15:00:00', '吴十'),
      (9, '西湖站', NULL, 9.5, 90, false, DATE '2024-01-09', TIMESTAMP '2024-01-09 16:00:00', '郑十一'),
      (10, '南湖站', '武昌区', 10.5, 100, true, DATE '2024-01-10', TIMESTAMP '2024-01-10 17:00:00', '冯十二')
    ) t("_id", "站点", "区", "数值", "计数", "有效", "日期", "时间", "姓名")) TO ${quoteLiteral(smallPath)} (FORMAT parquet)`);
  });
  return {
    dir,
    engine,
    small: { parquetPath: smallPath, idFromPosition: false, columns: SMALL_COLUMNS },
    cleanup() {
      engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A generated file: _id 1..n in order, 区 cycling over 5 districts, 值 = _id % 1000. With `idStored: false` the file
 * leaves _id out, as a load writes it: _id is then each row's position.
 */
export async function makeGenerated(
  fx: Fixture,
  name: string,
  n: number,
  opts: { idStored?: boolean } = {},
): Promise<TableSource> {
  const idStored = opts.idStored ?? true;
  const p = path.join(fx.dir, name);
  await fx.engine.withConnection(async (conn) => {
    await conn.run(
      `COPY (SELECT ${idStored ? 'range + 1 AS "_id", ' : ''}['武昌区','汉阳区','洪山区','江岸区','青山区'][range % 5 + 1] AS "区",
        (range % 1000)::DOUBLE AS "值", 'row ' || range AS "说明", DATE '2020-01-01' + (range % 365)::INTEGER AS "日期"
        FROM range(${n}) ORDER BY range) TO ${quoteLiteral(p)} (FORMAT parquet)`,
    );
  });
  return {
    parquetPath: p,
    idFromPosition: !idStored,
    columns: [
      { name: '_id', type: 'integer' },
      { name: '区', type: 'text' },
      { name: '值', type: 'decimal' },
      { name: '说明', type: 'text' },
      { name: '日期', type: 'date' },
    ],
  };
}
