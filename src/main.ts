import path from 'node:path';
import { Command } from 'commander';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { accessRepo, createUserUnchecked, ROLES, setPasswordUnchecked, type Role } from './modules/access/index.ts';
import { migrateToLatest, openMetadataStore } from './platform/db/index.ts';
import { ensureWebBuilt } from './platform/http/web.ts';
import { runDemoCommand, runIngestCommand } from './modules/demo/cli.ts';

function config() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

function openStore() {
  const c = config();
  return openMetadataStore({ databaseUrl: c.databaseUrl, sqlitePath: path.join(c.dataDir, 'citydata.sqlite') });
}

const program = new Command('citydata').description('CityData 城市数据平台');

program
  .command('serve')
  .description('migrate, then serve the portal and API')
  .action(async () => {
    const c = config();
    await ensureWebBuilt();
    const built = await buildApp({
      config: c,
      onAdminCreated: (password) => {
        if (password)
          console.log(`\n  Platform admin created: username "admin", password "${password}" (shown once)\n`);
        else console.log('\n  Platform admin "admin" created with CITYDATA_ADMIN_PASSWORD\n');
      },
    });
    await built.app.listen({ port: c.port, host: c.host });
    const stop = async () => {
      await built.close();
      process.exit(0);
    };
    // A close that fails (a store that will not disconnect) still ends the process, with the error and exit code 1.
    const stopOrFail = () =>
      void stop().catch((err: unknown) => {
        console.error('shutdown failed:', err);
        process.exit(1);
      });
    process.once('SIGINT', stopOrFail);
    process.once('SIGTERM', stopOrFail);
  });

program
  .command('migrate')
  .description('run pending metadata-store migrations')
  .action(async () => {
    const store = openStore();
    const done = await migrateToLatest(store);
    console.log(done.length ? `Applied: ${done.join(', ')}` : 'Already up to date');
    await store.destroy();
  });

const user = program.command('user').description('manage users');
user
  .command('create <username>')
  .requiredOption('--password <password>')
  .option('--role <role>', `one of ${ROLES.join(', ')}`, 'member')
  .option('--department <id>', 'department id')
  .option('--name <displayName>')
  .action(async (username: string, o: { password: string; role: string; department?: string; name?: string }) => {
    const store = openStore();
    try {
      await migrateToLatest(store);
      const u = await createUserUnchecked(store.db, {
        username,
        password: o.password,
        role: o.role as Role,
        departmentId: o.department ?? null,
        displayName: o.name,
      });
      console.log(`Created ${u.username} (${u.role})`);
    } catch (err) {
      console.error(`Error: ${(err as Error).message}`);
      process.exitCode = 1;
    } finally {
      await store.destroy();
    }
  });
user
  .command('reset-password <username>')
  .requiredOption('--password <password>')
  .action(async (username: string, o: { password: string }) => {
    const store = openStore();
    try {
      const u = await accessRepo.userByUsername(store.db, username);
      if (!u) throw new Error(`no user ${username}`);
      await setPasswordUnchecked(store.db, u.id, o.password);
      console.log(`Password of ${username} reset; their sessions have ended`);
    } catch (err) {
      console.error(`Error: ${(err as Error).message}`);
      process.exitCode = 1;
    } finally {
      await store.destroy();
    }
  });

program
  .command('demo')
  .description(
    "write the demo city's tables as CSV (UTF-8 and GB18030), XLSX and GeoJSON for benchmarks and load tests",
  )
  .requiredOption(
    '--scale <n>',
    'row scale of the big tables (1 ≈ 300k rows in all; 1000 ≈ 105M air-quality rows)',
    Number,
  )
  .requiredOption('--out <dir>', 'output directory (manifest.json is written last)')
  .option('--seed <seed>', 'generator seed (same seed, same files)', (v) => Number(v))
  .action(async (o: { scale: number; out: string; seed?: number }) => {
    process.exitCode = await runDemoCommand(o);
  });

program
  .command('ingest <file>')
  .description('upload a file (CSV, XLSX, JSON, GeoJSON) to a resource through the API as a new version')
  .requiredOption('--resource <id>', 'resource id or code')
  .option('--mode <mode>', 'replace | append | upsert', 'replace')
  .option('--key <columns>', 'key column(s) for upsert, comma-separated')
  .option('--encoding <encoding>', 'utf-8 | gb18030 | gbk (detected when omitted)')
  .option('--sheet <sheet>', 'XLSX sheet name or number')
  .option('--header-rows <n>', 'header rows (merged headers)', (v) => Number(v))
  .option('--delimiter <c>', 'CSV delimiter (detected when omitted)')
  .option('--policy <policy>', 'bad values: widen | reject_row')
  .option('--server <url>', 'server URL (default http://localhost:8080 or CITYDATA_SERVER)')
  .option('--api-key <key>', 'API key (default CITYDATA_API_KEY)')
  .action(async (file: string, o: Parameters<typeof runIngestCommand>[1]) => {
    if (o.mode && !['replace', 'append', 'upsert'].includes(o.mode)) {
      console.error(`Error: --mode must be replace, append or upsert, got ${o.mode}`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = await runIngestCommand(file, o);
  });

await program.parseAsync(process.argv);
