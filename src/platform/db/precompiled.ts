import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';
import type { Db } from './index.ts';

/**
 * A Kysely query built and compiled once per database handle, then run with new parameter values. Kysely builds and
 * compiles every query anew, which takes longer (tens of microseconds) than SQLite takes to answer a keyed lookup;
 * queries asked on every data call skip that work.
 *
 * The query is built once with a placeholder for each argument, so every argument must reach the SQL as one bound
 * parameter, used as it is (a value compared in a where clause, not one that changes the shape of the query).
 */
export function precompiled<A extends unknown[], R>(
  build: (db: Db, ...args: A) => Compilable<R>,
): (db: Db, ...args: A) => Promise<R[]> {
  const compiled = new WeakMap<Db, { query: CompiledQuery<R>; slots: number[] }>();
  return async (db, ...args) => {
    let c = compiled.get(db);
    if (!c) {
      const marks = args.map((_, i) => `\u0000precompiled-argument-${i}`);
      const query = build(db, ...(marks as A)).compile();
      const slots = query.parameters.map((p) => marks.indexOf(p as string));
      if (slots.includes(-1) || marks.some((_, i) => !slots.includes(i)))
        throw new Error(`precompiled query: every parameter must be one argument, used once or more: ${query.sql}`);
      c = { query, slots };
      compiled.set(db, c);
    }
    const { query, slots } = c;
    const r = await db.executeQuery<R>({ ...query, queryId: createQueryId(), parameters: slots.map((i) => args[i]) });
    return r.rows;
  };
}
