import fs from 'node:fs';
import path from 'node:path';
import { maskingConfigProblems, type MaskingConfig } from './modules/governance/masking.ts';

/** One validated configuration object, read from the environment. Secrets are never logged. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `sqlite` (file under dataDir) unless DATABASE_URL is a postgres:// URL. */
  databaseUrl: string | null;
  adminPassword: string | null;
  demo: boolean;
  allowRegistration: boolean;
  logLevel: string;
  sessionTtlHours: number;
  /** Base URL the portal is reached at, for links in DCAT/sitemaps. */
  publicUrl: string;
  secureCookies: boolean;
  /** Masking rules and policy (STANDARDS.md §3 defaults when empty), from the JSON file CITYDATA_MASKING_FILE. */
  masking: MaskingConfig;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseBool(name: string, raw: string | undefined, dflt: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return dflt;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be a boolean (1/0, true/false), got "${raw}"`);
  return dflt;
}

function parseIntIn(
  name: string,
  raw: string | undefined,
  dflt: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return dflt;
  }
  return Number(raw);
}

function readMasking(file: string | undefined, problems: string[]): MaskingConfig {
  if (!file) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push(`CITYDATA_MASKING_FILE ${file} cannot be read as JSON: ${(err as Error).message}`);
    return {};
  }
  const bad = maskingConfigProblems(raw);
  for (const p of bad) problems.push(`CITYDATA_MASKING_FILE ${file}: ${p}`);
  return bad.length ? {} : (raw as MaskingConfig);
}

/** Reads and validates the configuration; throws a ConfigError that lists every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const port = parseIntIn('PORT', env.PORT, 8080, 0, 65535, problems);
  const dataDir = path.resolve(env.CITYDATA_DATA_DIR || './data');
  let databaseUrl: string | null = env.DATABASE_URL || null;
  if (databaseUrl !== null) {
    if (/^sqlite:/i.test(databaseUrl)) {
      databaseUrl = null;
    } else if (!/^postgres(ql)?:\/\/.+/i.test(databaseUrl)) {
      problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL (or unset for the embedded SQLite)');
    } else {
      try {
        new URL(databaseUrl);
      } catch {
        problems.push('DATABASE_URL is not a valid URL');
      }
    }
  }
  const adminPassword = env.CITYDATA_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 8) {
    problems.push('CITYDATA_ADMIN_PASSWORD must be at least 8 characters');
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const host = env.HOST || '0.0.0.0';
  const publicUrl = (env.CITYDATA_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    problems.push('CITYDATA_PUBLIC_URL must be an absolute URL');
  }
  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl,
    adminPassword,
    demo: parseBool('CITYDATA_DEMO', env.CITYDATA_DEMO, true, problems),
    allowRegistration: parseBool('CITYDATA_ALLOW_REGISTRATION', env.CITYDATA_ALLOW_REGISTRATION, true, problems),
    logLevel,
    sessionTtlHours: parseIntIn('CITYDATA_SESSION_TTL_HOURS', env.CITYDATA_SESSION_TTL_HOURS, 12, 1, 24 * 90, problems),
    publicUrl,
    secureCookies: parseBool('CITYDATA_SECURE_COOKIES', env.CITYDATA_SECURE_COOKIES, false, problems),
    masking: readMasking(env.CITYDATA_MASKING_FILE, problems),
    ...overrides,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A copy safe to log: secrets replaced. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    adminPassword: config.adminPassword ? '[set]' : null,
    databaseUrl: config.databaseUrl ? config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@') : 'sqlite',
  };
}
