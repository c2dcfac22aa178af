import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimScratch, releaseScratch, type PoolLimits } from '../../src/modules/ingest/scratch-pool.ts';
import { harness, type Harness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

const limits: PoolLimits = { files: 2, minBytes: 10, maxBytes: 1000, maxAgeMs: 3600_000 };
const kept = (pool: string) =>
  fs
    .readdirSync(pool)
    .filter((n) => n.endsWith('.scratch'))
    .map((n) => fs.statSync(path.join(pool, n)).size)
    .sort((a, b) => a - b);

describe('the scratch pool', () => {
  it('keeps copies within its limits and hands out the smallest big enough, else the largest', async () => {
    const pool = path.join(h.dir, 'pool-limits');
    const copy = (bytes: number) => h.file('copy.txt', Buffer.alloc(bytes, 0x61));
    // Too small and too large copies are removed; the pool takes two.
    for (const bytes of [5, 2000, 300, 100, 50]) {
      const f = copy(bytes);
      await releaseScratch(f, pool, limits);
      expect(fs.existsSync(f)).toBe(false);
    }
    expect(kept(pool)).toEqual([100, 300]);

    const target = path.join(h.dir, 'claimed.txt');
    expect(await claimScratch(pool, target, 150, limits)).toBe(true);
    expect(fs.statSync(target).size).toBe(300);
    await releaseScratch(target, pool, limits);
    expect(await claimScratch(pool, target, 500, limits)).toBe(true);
    expect(fs.statSync(target).size).toBe(300);
    await releaseScratch(target, pool, limits);
    // A copy too small to keep never takes one, nor one four times too small for the smallest; no pool, nothing.
    expect(await claimScratch(pool, target, 5, limits)).toBe(false);
    expect(await claimScratch(pool, target, 20, limits)).toBe(false);
    expect(await claimScratch(undefined, target, 500, limits)).toBe(false);
    expect(await claimScratch(path.join(h.dir, 'no-such-pool'), target, 500, limits)).toBe(false);
    expect(fs.existsSync(target)).toBe(false);
    expect(kept(pool)).toEqual([100, 300]);
  });

  it('removes a file kept longer than its age limit instead of handing it out', async () => {
    const pool = path.join(h.dir, 'pool-age');
    await releaseScratch(h.file('copy.txt', Buffer.alloc(100, 0x61)), pool, limits);
    await releaseScratch(h.file('copy.txt', Buffer.alloc(200, 0x61)), pool, limits);
    const [older] = fs.readdirSync(pool).filter((n) => fs.statSync(path.join(pool, n)).size === 200);
    const past = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(path.join(pool, older as string), past, past);
    const target = path.join(h.dir, 'aged.txt');
    expect(await claimScratch(pool, target, 150, limits)).toBe(true);
    // The 200-byte file was the better fit, but too old: removed; the 100-byte one was handed out.
    expect(fs.statSync(target).size).toBe(100);
    expect(kept(pool)).toEqual([]);
  });

  it('gives each kept file to one load only', async () => {
    const pool = path.join(h.dir, 'pool-once');
    await releaseScratch(h.file('copy.txt', Buffer.alloc(100, 0x61)), pool, limits);
    const targets = [1, 2, 3].map((i) => path.join(h.dir, `claim-${i}.txt`));
    const claimed = await Promise.all(targets.map((t) => claimScratch(pool, t, 100, limits)));
    expect(claimed.filter(Boolean)).toHaveLength(1);
    expect(targets.filter((t) => fs.existsSync(t))).toHaveLength(1);
    expect(kept(pool)).toEqual([]);
  });
});

describe('a GB18030 load with a scratch pool', () => {
  /** A GB18030 CSV of `rows` rows of about 100 bytes (over the pool's 8 MiB minimum from 90,000 rows). */
  const gbCsv = (rows: number, tag: string) => {
    const lines = ['编号,站名,风向,气温,备注'];
    for (let i = 1; i <= rows; i++)
      lines.push(
        `${i},${tag}气象观测站第${i % 97}号点位（市区）,东南偏东风向,${(i % 400) / 10},自动站数据经人工审核后发布请勿转载`,
      );
    return iconv.encode(lines.join('\n') + '\n', 'gb18030');
  };

  it('writes its UTF-8 copy over the one a bigger earlier load left, and reads only its own rows', async () => {
    const pool = path.join(h.dir, 'pool-load');
    const first = await h.ingest(gbCsv(120_000, '甲'), '甲.csv', { scratchPool: pool });
    expect(first.encoding).toBe('gb18030');
    expect(first.rowsLoaded).toBe(120_000);
    // The first copy is kept, larger than the second load's will be.
    const [firstCopy] = kept(pool);
    expect(firstCopy).toBeGreaterThan(8 * 1024 * 1024);

    const second = await h.ingest(gbCsv(100_000, '乙'), '乙.csv', { scratchPool: pool });
    expect(second.rowsLoaded).toBe(100_000);
    expect(second.rowsRejected).toBe(0);
    // Nothing of the first copy's tail was read: the last row is the second file's, and no row is the first's.
    const last = await h.rows(second.out, '_id DESC LIMIT 1');
    expect(last[0]).toMatchObject({ 编号: '100000', 站名: '乙气象观测站第90号点位（市区）', 气温: '0.0' });
    expect(await h.rows(second.out, '_id', `站名 LIKE '甲%'`)).toEqual([]);
    // The pool holds the second copy, cut to its size: the same file written over, not a new one beside it.
    const [secondCopy] = kept(pool);
    expect(kept(pool)).toHaveLength(1);
    expect(secondCopy).toBeLessThan(firstCopy as number);
    expect(secondCopy).toBeGreaterThan(8 * 1024 * 1024);
  });
});
