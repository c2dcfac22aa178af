import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../src/config.ts';
import { openMetadataStore } from '../../src/platform/db/index.ts';
import { tempDir } from '../helpers/db.ts';

const run = promisify(execFile);
const BIN = path.resolve('bin/citydata.mjs');

describe('configuration', () => {
  it('has working defaults: port 8080, ./data, embedded SQLite', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe(path.resolve('data'));
    expect(c.databaseUrl).toBeNull();
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        CITYDATA_ADMIN_PASSWORD: 'short',
        CITYDATA_DEMO: 'maybe',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'CITYDATA_ADMIN_PASSWORD', 'CITYDATA_DEMO', 'LOG_LEVEL'])
      expect(problems).toContain(name);
  });

  it('reads masking rules from CITYDATA_MASKING_FILE and names every fault in it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'citydata-masking-'));
    const good = path.join(dir, 'good.json');
    fs.writeFileSync(
      good,
      JSON.stringify({ rules: { id_card: { keepStart: 6, keepEnd: 4 } }, maskNonSensitiveGrades: ['L4'] }),
    );
    expect(loadConfig({ CITYDATA_MASKING_FILE: good }).masking).toEqual({
      rules: { id_card: { keepStart: 6, keepEnd: 4 } },
      maskNonSensitiveGrades: ['L4'],
    });
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        rules: {
          id_card: { keepStart: -1 },
          passport: {},
          mobile: { maskChar: '##', colour: 'red' },
          other: { maskChar: ['*'] },
        },
        maskNonSensitiveGrades: ['L9'],
        sensitivityKinds: { phone: 'telepathy', Mobile: 'mobile' },
        extra: true,
      }),
    );
    let err: unknown;
    try {
      loadConfig({ CITYDATA_MASKING_FILE: bad });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    for (const what of [
      'id_card.keepStart',
      'rules.passport: unknown mask kind',
      'mobile.maskChar',
      'rules.mobile.colour: unknown key',
      'maskNonSensitiveGrades',
      'sensitivityKinds.phone',
      'other.maskChar',
      'sensitivityKinds.Mobile: write the label in lower case',
      'unknown key "extra"',
    ])
      expect(problems).toContain(what);
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{"rules": ');
    expect(() => loadConfig({ CITYDATA_MASKING_FILE: broken })).toThrow(
      /CITYDATA_MASKING_FILE .*broken\.json cannot be read as JSON/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never shows secrets when logged', () => {
    const c = loadConfig({ CITYDATA_ADMIN_PASSWORD: 'Sup3rSecret!', DATABASE_URL: 'postgres://u:pw123@db/x' });
    const shown = JSON.stringify(redactConfig(c));
    expect(shown).not.toContain('Sup3rSecret!');
    expect(shown).not.toContain('pw123');
  });
});

describe('command line', () => {
  it('refuses to start with invalid configuration, naming every problem', async () => {
    const err = await run('node', [BIN, 'serve'], {
      env: { ...process.env, PORT: 'x', DATABASE_URL: 'oracle://db' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('PORT');
    expect((err as { stderr: string }).stderr).toContain('DATABASE_URL');
  });

  it('migrates, creates a user and resets a password', async () => {
    const dir = tempDir();
    const env = { ...process.env, CITYDATA_DATA_DIR: dir, DATABASE_URL: '' };
    expect((await run('node', [BIN, 'migrate'], { env })).stdout).toContain('0001_core');
    expect((await run('node', [BIN, 'migrate'], { env })).stdout).toContain('up to date');
    const created = await run(
      'node',
      [BIN, 'user', 'create', 'zhangsan', '--password', 'Zhang2026x', '--role', 'reviewer'],
      { env },
    );
    expect(created.stdout).toContain('Created zhangsan (reviewer)');
    const dup = await run(
      'node',
      [BIN, 'user', 'create', 'zhangsan', '--password', 'Zhang2026x', '--role', 'reviewer'],
      { env },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((dup as { code: number }).code).toBe(1);
    expect((dup as { stderr: string }).stderr).toContain('already taken');
    await run('node', [BIN, 'user', 'reset-password', 'zhangsan', '--password', 'Newpass2026'], { env });
    const store = openMetadataStore({ databaseUrl: null, sqlitePath: path.join(dir, 'citydata.sqlite') });
    const u = await store.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', 'zhangsan')
      .executeTakeFirstOrThrow();
    expect(u.role).toBe('reviewer');
    expect(u.password_hash).toMatch(/^scrypt\$/);
    await store.destroy();
  }, 240_000);
});
