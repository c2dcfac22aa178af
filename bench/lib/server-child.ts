/**
 * The server as `citydata serve` runs it (buildApp + listen, configuration from the environment), minus the
 * portal build `serve` does first when web/dist is stale: the memory figure is about loads, not Vite, and the
 * bench must not rebuild web/dist under colleagues' feet. Started by bench/sections/memory.ts.
 */
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

const config = loadConfig();
const built = await buildApp({ config, logger: false });
await built.app.listen({ port: config.port, host: config.host });
const stop = async () => {
  await built.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
