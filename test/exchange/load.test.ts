import { describe, expect, it } from 'vitest';
import { runExchangeLoad } from './load.ts';

/** Under load, every completed read has its exchange-log row (the rate is printed, not asserted). */
describe('exchange log under load', () => {
  it('logs every successful read of a burst', async () => {
    const r = await runExchangeLoad({ calls: 1000, connections: 16 });
    console.log(`exchange load: ${r.calls} calls in ${r.seconds} s = ${r.callsPerSecond} calls/s; ${r.logged} logged`);
    expect(r.errors).toBe(0);
    expect(r.non2xx).toBe(0);
    expect(r.ok).toBe(1000);
    expect(r.logged).toBe(r.ok);
    // A server start, a load and the burst: a budget for a busy machine, not a speed check.
  }, 240_000);
});
