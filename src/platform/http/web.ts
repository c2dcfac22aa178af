import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
export const WEB_DIST = path.join(WEB_ROOT, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** `npm start` builds the portal when web/dist is missing or older than its sources (Vite, in process). */
export async function ensureWebBuilt(log: (msg: string) => void = console.log): Promise<void> {
  const index = path.join(WEB_DIST, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(WEB_ROOT, 'src')),
    fs.existsSync(path.join(WEB_ROOT, 'index.html')) ? fs.statSync(path.join(WEB_ROOT, 'index.html')).mtimeMs : 0,
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  if (!fs.existsSync(path.join(WEB_ROOT, 'vite.config.ts'))) return;
  log('Building the web portal (first start or sources changed)…');
  const vite = await import('vite');
  // A NODE_ENV other than production (test runners set `test`) would make Vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: path.join(WEB_ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

export type HtmlTransform = (req: FastifyRequest, html: string) => Promise<string> | string;

/**
 * Serves the built portal: static assets from web/dist, and index.html for every other GET that is not an API
 * path (the React router takes it from there). Page transforms (schema.org JSON-LD, titles) hook in here.
 */
export type SpaHandler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export async function registerWeb(
  app: FastifyInstance,
  transforms: HtmlTransform[] = [],
  distDir: string = WEB_DIST,
): Promise<SpaHandler | null> {
  const index = path.join(distDir, 'index.html');
  if (!fs.existsSync(index)) return null;
  await app.register(fastifyStatic, { root: distDir, prefix: '/', wildcard: false, index: false, maxAge: '1h' });
  const sendIndex: SpaHandler = async (req, reply) => {
    let html = fs.readFileSync(index, 'utf8');
    for (const t of transforms) html = await t(req, html);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  app.get('/', { schema: { hide: true } }, sendIndex);
  return sendIndex;
}

export function isSpaPath(req: FastifyRequest): boolean {
  const p = req.url.split('?')[0] ?? '';
  return req.method === 'GET' && !p.startsWith('/api/') && p !== '/api' && !/\.[a-z0-9]{1,8}$/i.test(p);
}
