import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoManifest } from '../../src/modules/demo/index.ts';
import { DIALECTS, tempDir } from '../helpers/db.ts';
import { resourceInput, seedOrg, startTestServer, type Caller, type TestServer } from '../helpers/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the real CLI (bin/citydata.mjs) as a child process; never rejects, reports the exit code. */
function citydata(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/citydata.mjs'), ...args],
      { cwd: ROOT, env: { ...process.env, CITYDATA_API_KEY: '', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const CSV = [
  '站点名称,监测时间,AQI',
  '云溪监测站,2025-11-01 08:00:00,56',
  '白云山站,2025-11-01 08:00:00,61',
  '江南站,2025-11-01 09:00:00,88',
].join('\n');

describe.each(DIALECTS)('citydata ingest against a running server on %s', (dialect) => {
  let s: TestServer;
  let server: string;
  let stewardKey: string;
  let memberKey: string;
  let steward: Caller;
  let resourceId: string;
  const dir = tempDir('citydata-cli-');

  const apiKey = async (caller: Caller) => {
    const res = await s.request(caller, { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'cli' } });
    expect(res.statusCode).toBe(201);
    return res.json<{ key: string }>().key;
  };
  const versions = async () =>
    (await s.request(steward, { method: 'GET', url: `/api/v1/resources/${resourceId}/versions` })).json<
      { version: number; rows: number; current: boolean }[]
    >();

  beforeAll(async () => {
    s = await startTestServer(dialect);
    const org = await seedOrg(s);
    steward = await s.login('env_steward');
    const created = await s.request(steward, {
      method: 'POST',
      url: '/api/v1/resources',
      payload: resourceInput(org.departments.env),
    });
    expect(created.statusCode).toBe(201);
    resourceId = created.json<{ id: string }>().id;
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    server = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
    stewardKey = await apiKey(steward);
    memberKey = await apiKey(await s.login('env_member'));
    fs.writeFileSync(path.join(dir, '空气质量.csv'), CSV);
  }, 240_000);
  afterAll(async () => {
    await s?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('streams a file as a new version and prints the result', async () => {
    const run = await citydata([
      'ingest',
      path.join(dir, '空气质量.csv'),
      '--resource',
      resourceId,
      '--server',
      server,
      '--api-key',
      stewardKey,
    ]);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Loaded version 1 of .*: 3 rows \(3 read, 0 rejected\)/);
    expect(await versions()).toEqual([expect.objectContaining({ version: 1, rows: 3, current: true })]);
  }, 240_000);

  it('takes the API key from CITYDATA_API_KEY and appends', async () => {
    const run = await citydata(
      ['ingest', path.join(dir, '空气质量.csv'), '--resource', resourceId, '--server', server, '--mode', 'append'],
      { CITYDATA_API_KEY: stewardKey },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Loaded version 2 of .*: 6 rows/);
    expect((await versions())[0]).toMatchObject({ version: 2, rows: 6, current: true });
  }, 240_000);

  it("exits non-zero with the server's message when the upload is refused", async () => {
    const run = await citydata([
      'ingest',
      path.join(dir, '空气质量.csv'),
      '--resource',
      resourceId,
      '--server',
      server,
      '--api-key',
      memberKey,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Only the stewards of the provider may load data \(forbidden\)/);
    expect(await versions()).toHaveLength(2);
  }, 240_000);

  it("exits non-zero with the load's message when the file cannot be read", async () => {
    const bad = path.join(dir, 'broken.xlsx');
    fs.writeFileSync(bad, 'this is not a spreadsheet');
    const run = await citydata(['ingest', bad, '--resource', resourceId, '--server', server, '--api-key', stewardKey]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Error: the load failed: .+/);
    expect(await versions()).toHaveLength(2);
  }, 240_000);

  it('refuses to start without an API key', async () => {
    const run = await citydata(['ingest', path.join(dir, '空气质量.csv'), '--resource', resourceId]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CITYDATA_API_KEY/);
  }, 240_000);

  it('draws the upload and load progress bars on a terminal, then clears them', async () => {
    // `script` (util-linux) runs the CLI on a pseudo-terminal, as at a shell prompt; what it drew is in its output.
    const rows = ['站点名称,监测时间,AQI'];
    for (let i = 0; i < 20_000; i++) rows.push(`站点${i % 50},2025-11-01 08:00:00,${i % 300}`);
    const file = path.join(dir, '进度.csv');
    fs.writeFileSync(file, rows.join('\n'));
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, path.join(ROOT, 'bin/citydata.mjs'), 'ingest', file]
      .concat(['--resource', resourceId, '--server', server, '--api-key', stewardKey, '--mode', 'append'])
      .map(quote)
      .join(' ');
    const run = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        { cwd: ROOT, env: { ...process.env, CITYDATA_API_KEY: '' }, timeout: 120_000 },
        (err, stdout) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout }),
      );
    });
    expect(run.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    const frames = run.out.split(/\r|\n|\x1b\[[0-9;?]*[A-Za-z]/).filter((f) => f.trim() !== '');
    const size = (fs.statSync(file).size / 1_048_576).toFixed(1);
    // The upload bar from 0 to the file's size, and the load bar at its end: 100%, the rows read.
    expect(frames.some((f) => f.startsWith(`upload  ${'░'.repeat(40)} 0% | 0.0/${size} MB`))).toBe(true);
    expect(frames.some((f) => f.startsWith(`upload  ${'█'.repeat(40)} 100% | ${size}/${size} MB`))).toBe(true);
    expect(frames.some((f) => /^load {4}█{40} 100% \| \w+ \| 20,000 rows/.test(f))).toBe(true);
    // Each bar's line is cleared when it ends (ESC [2K) and the cursor shown again, before the result is printed.
    expect(run.out.split('\x1b[2K').length - 1).toBeGreaterThanOrEqual(2);
    expect(run.out.lastIndexOf('\x1b[?25h')).toBeLessThan(run.out.indexOf('Loaded version'));
    expect(run.out).toMatch(/Loaded version \d+ of .*: [\d,]+ rows \(20,000 read, 0 rejected\)/);
  }, 240_000);
});

describe('citydata demo', () => {
  it('writes the tables and the manifest for a scale', async () => {
    const out = tempDir('citydata-demo-files-');
    try {
      const run = await citydata(['demo', '--scale', '0.01', '--out', out]);
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.code).toBe(0);
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as DemoManifest;
      expect(manifest).toMatchObject({ generator: 'citydata-demo', scale: 0.01, seed: 2026 });
      expect(manifest.resources.length).toBeGreaterThanOrEqual(40);
      const air = manifest.resources.find((r) => r.key === 'air-quality-hourly')!;
      expect(air.files.map((f) => f.format)).toEqual(['csv', 'csv-gb18030', 'xlsx']);
      for (const f of air.files) expect(fs.statSync(path.join(out, f.path)).size).toBe(f.bytes);
      const lines = fs.readFileSync(path.join(out, air.files[0]!.path), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(air.rows + 1);
      expect(run.stdout).toMatch(/demo files for seed 2026, scale 0\.01/);

      const bad = await citydata(['demo', '--scale', '-1', '--out', out]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--scale must be a positive number/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
