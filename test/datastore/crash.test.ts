import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/db.ts';
import { httpLogin, startChildServer, type ChildServer } from '../helpers/child-server.ts';
import { resourceInput } from '../helpers/server.ts';

/** A load killed with SIGKILL never becomes current; after restart the job is failed and its files are gone. */
describe('kill -9 of the server during a load', () => {
  const dataDir = tempDir('citydata-crash-');
  let server: ChildServer | null = null;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps serving the previous version and cleans up after restart', async () => {
    server = await startChildServer(dataDir);
    const admin = await httpLogin(server.url, 'admin', 'Admin#2026pw');
    const json = { ...admin, 'content-type': 'application/json' };
    const call = async (method: string, url: string, body?: unknown) => {
      const r = await fetch(`${server!.url}${url}`, {
        method,
        headers: body ? json : admin,
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const city = await call('POST', '/api/v1/departments', { code: 'C1', name: '测试市', kind: 'city' });
    const res = await call('POST', '/api/v1/resources', resourceInput(city.body.id as string, { fields: [] }));
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const upload = async (content: Blob) => {
      const form = new FormData();
      form.append('file', content, 'data.csv');
      const r = await fetch(`${server!.url}/api/v1/resources/${id}/loads`, {
        method: 'POST',
        headers: admin,
        body: form,
      });
      return ((await r.json()) as { job: { id: string } }).job.id;
    };
    const waitState = async (jobId: string, states: string[]) => {
      for (let i = 0; i < 600; i++) {
        const j = await call('GET', `/api/v1/jobs/${jobId}`);
        if (states.includes(j.body.state as string)) return j.body;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('timeout');
    };

    const first = await upload(new Blob(['站点,AQI\n甲站,50\n乙站,60\n']));
    expect((await waitState(first, ['succeeded', 'failed'])).state).toBe('succeeded');

    // A load big enough to be caught mid-way.
    const lines = ['站点,AQI,时间,备注'];
    for (let i = 0; i < 1_500_000; i++) lines.push(`站${i % 500},${i % 300},2026-01-01 00:00:00,第${i}行`);
    const big = await upload(new Blob([lines.join('\n')]));
    // Killed as soon as the job is seen running (polled every 50 ms; the load itself takes seconds), so the kill
    // always lands mid-load.
    expect((await waitState(big, ['running', 'succeeded', 'failed'])).state).toBe('running');
    await server.stop('SIGKILL');

    server = await startChildServer(dataDir);
    const after = await httpLogin(server.url, 'admin', 'Admin#2026pw');
    const job = (await (await fetch(`${server.url}/api/v1/jobs/${big}`, { headers: after })).json()) as Record<
      string,
      unknown
    >;
    expect(job.state).toBe('failed');
    expect((job.error as { code: string }).code).toBe('interrupted');
    // The previous version is still the one served, whole.
    const rows = (await (
      await fetch(`${server.url}/api/v1/resources/${id}/rows?limit=5`, { headers: after })
    ).json()) as { total: number; version: number; records: { 站点: string }[] };
    expect(rows.total).toBe(2);
    expect(rows.version).toBe(1);
    expect(rows.records.map((r) => r.站点)).toEqual(['甲站', '乙站']);
    const tableDir = path.join(dataDir, 'tables', id);
    expect(fs.readdirSync(tableDir).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'uploads')) ? fs.readdirSync(path.join(dataDir, 'uploads')) : []).toEqual(
      [],
    );
  }, 240_000);
});
