import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { httpLogin, startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { tempDir } from '../helpers/db.ts';
import { ADMIN_PW, seedOverHttp } from './http.ts';

/**
 * The exchange-log row of a read is written before its response: after a SIGKILL in the middle of a burst of reads,
 * every read that got its complete 200 response is in the log after restart.
 */
describe('kill -9 during a burst of reads', () => {
  const dataDir = tempDir('citydata-exlog-');
  let server: ChildServer | null = null;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no completed read from the exchange log', async () => {
    server = await startChildServer(dataDir);
    const { resourceId, key } = await seedOverHttp(server);
    const url = server.url;
    // Each read carries a unique filter value, so its log line can be found by it.
    const completed: number[] = [];
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const n = ++next;
        const filters = encodeURIComponent(JSON.stringify({ field: 'AQI', op: 'ne', value: 100_000 + n }));
        try {
          const r = await fetch(`${url}/api/v1/resources/${resourceId}/rows?limit=1&filters=${filters}`, {
            headers: { authorization: `Bearer ${key}` },
          });
          const body = (await r.json()) as { records?: unknown[] };
          if (r.status === 200 && Array.isArray(body.records)) completed.push(n);
        } catch {
          // The server died mid-request: this read did not complete.
          return;
        }
      }
    };
    const workers = Array.from({ length: 16 }, () => worker());
    while (completed.length < 300) await new Promise((r) => setTimeout(r, 20));
    await server.stop('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(completed.length).toBeGreaterThanOrEqual(300);

    server = await startChildServer(dataDir);
    const admin = await httpLogin(server.url, 'admin', ADMIN_PW);
    const entries: { filter: string | null }[] = [];
    let before: number | null = null;
    for (;;) {
      const page = (await (
        await fetch(
          `${server.url}/api/v1/exchange-log?resourceId=${resourceId}&limit=10000${before ? `&beforeId=${before}` : ''}`,
          { headers: admin },
        )
      ).json()) as { entries: { filter: string | null }[]; nextBeforeId: number | null };
      entries.push(...page.entries);
      if (page.entries.length < 10000) break;
      before = page.nextBeforeId;
    }
    const logged = new Set(entries.map((e) => (e.filter ? (JSON.parse(e.filter) as { value: number }).value : 0)));
    const missing = completed.filter((n) => !logged.has(100_000 + n));
    expect(missing).toEqual([]);
    // Two server starts, a load and a burst: a budget for a busy machine, not a speed check.
  }, 240_000);
});
