import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Large scratch copies kept between loads to be written over: the UTF-8 copy of a GB18030 file (about 1 GB per GB of
 * file), which DuckDB reads because it cannot read GB18030.
 *
 * Writing a copy into a new file takes a new page of the page cache for every 4 KiB of it; writing over a file whose
 * pages are still cached takes none. On a VM that hands freed memory back to its host (virtio_balloon's free page
 * reporting, as on the machines the benchmark ran on), each new page costs the host a fault: measured, 1 GB written
 * into a new file a few seconds after memory was freed took 1.5-4 s of system time, and over a kept file 0.2-0.3 s.
 * Elsewhere it saves the page allocations and the file system's block allocation. PostgreSQL recycles its WAL segment
 * files for the same kind of reason.
 *
 * A kept file is claimed by renaming it into the load's scratch directory (atomic, so two loads or two server
 * processes never share one), written over and cut to what was written (openForOverwrite), and given back by renaming
 * it into the pool, or removed when the pool is full (counted when the file is given back: two loads giving back at
 * once may both keep theirs, one file over the limit until it is claimed). A load killed while it holds one loses it
 * with its scratch directory. What the files hold is an earlier load's data, in the server's own data directory,
 * never read: the writer cuts each file to what it wrote before anything reads it; a file kept longer than `maxAgeMs`
 * (its pages are likely gone from memory by then) is removed at the next claim or give-back, so that no upload's data
 * stays there for long after it was loaded.
 */
export interface PoolLimits {
  /** Files kept at most. */
  files: number;
  /** Only copies of at least this many bytes are kept (a small one's pages cost little, and would shrink a big one). */
  minBytes: number;
  /** Copies larger than this are removed as before (the disk space a kept file holds is bounded). */
  maxBytes: number;
  /** Kept files older than this are removed. */
  maxAgeMs: number;
}

export const POOL_LIMITS: PoolLimits = {
  files: 2,
  minBytes: 8 * 1024 * 1024,
  maxBytes: 2 * 1024 * 1024 * 1024,
  maxAgeMs: 24 * 3600_000,
};

const KEPT = '.scratch';
/** A kept file more than this many times the copy's expected size is left for a bigger load (cutting frees pages). */
const MAX_OVERSIZE = 4;

/** The pool's kept files, those older than maxAgeMs removed. */
async function keptFiles(pool: string, limits: PoolLimits): Promise<{ name: string; size: number }[]> {
  const names = (await fsp.readdir(pool)).filter((n) => n.endsWith(KEPT));
  const now = Date.now();
  const kept = await Promise.all(
    names.map(async (name) => {
      try {
        const st = await fsp.stat(path.join(pool, name));
        if (now - st.mtimeMs <= limits.maxAgeMs) return { name, size: st.size };
        await fsp.rm(path.join(pool, name), { force: true });
      } catch {
        // Claimed or removed by another load meanwhile.
      }
      return null;
    }),
  );
  return kept.filter((k): k is { name: string; size: number } => k !== null);
}

/**
 * Moves a kept file to `file` for a copy of about `expectedBytes` (at least: a GB18030 file's UTF-8 copy is as large
 * or larger), if the pool has one: the smallest that is at least that large, else the largest, but none more than
 * MAX_OVERSIZE times that size. False when there is none (or no pool, or a copy too small to keep).
 */
export async function claimScratch(
  pool: string | undefined,
  file: string,
  expectedBytes: number,
  limits: PoolLimits = POOL_LIMITS,
): Promise<boolean> {
  if (!pool || expectedBytes < limits.minBytes) return false;
  let kept: { name: string; size: number }[];
  try {
    kept = (await keptFiles(pool, limits)).filter((k) => k.size <= MAX_OVERSIZE * expectedBytes);
  } catch {
    return false;
  }
  const bigEnough = kept.filter((k) => k.size >= expectedBytes).sort((a, b) => a.size - b.size);
  const rest = kept.filter((k) => k.size < expectedBytes).sort((a, b) => b.size - a.size);
  for (const k of [...bigEnough, ...rest]) {
    try {
      await fsp.rename(path.join(pool, k.name), file);
      return true;
    } catch {
      // Claimed by another load meanwhile: the next one.
    }
  }
  return false;
}

/**
 * Gives `file` (if it exists) back to the pool, or removes it when it is outside the limits, the pool is full or the
 * disk has less than twice its size free (a kept file never takes the last of the space a load needs).
 */
export async function releaseScratch(
  file: string,
  pool: string | undefined,
  limits: PoolLimits = POOL_LIMITS,
): Promise<void> {
  try {
    if (pool) {
      const { size } = await fsp.stat(file);
      if (size >= limits.minBytes && size <= limits.maxBytes) {
        await fsp.mkdir(pool, { recursive: true });
        const { bavail, bsize } = await fsp.statfs(pool);
        if ((await keptFiles(pool, limits)).length < limits.files && bavail * bsize >= 2 * size) {
          const kept = path.join(pool, `${randomUUID()}${KEPT}`);
          await fsp.rename(file, kept);
          // Its age counts from now.
          const now = new Date();
          await fsp.utimes(kept, now, now);
          return;
        }
      }
    }
  } catch {
    // No such file, or the pool cannot take it: removed below.
  }
  await fsp.rm(file, { force: true });
}

/**
 * Opens a scratch file to write from its start over whatever it holds: not truncated, so that its cached pages are
 * written over. The writer must cut it to what it wrote (FileHandle.truncate) before anything reads it.
 */
export function openForOverwrite(file: string): Promise<fsp.FileHandle> {
  return fsp.open(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
}
