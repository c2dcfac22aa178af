import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// The machines run Node.js 20 (package.json `engines`: >=20.19). A dependency whose own `engines` leaves out
// Node 20 installs with only a warning and may break on a Node-22-only API, so every package in the lock file
// must admit the oldest Node we support.
describe('dependencies and the Node.js version', () => {
  const root = resolve(import.meta.dirname, '../..');
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; engines?: Record<string, string> | string[] }>;
  };

  it('every locked package admits the oldest Node.js in package.json engines', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(oldest).toBe('20.19.0');
    const refused: string[] = [];
    let checked = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !range) continue;
      checked += 1;
      if (!semver.satisfies(oldest, range)) refused.push(`${path}@${entry.version} wants node ${range}`);
    }
    expect(checked).toBeGreaterThan(50);
    expect(refused).toEqual([]);
  });
});
