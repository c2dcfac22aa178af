import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Chunk names say what they hold (`npm run bench` reports each route's bytes by these names): route-<area>-<Page>,
 * feature-<domain>-<Component>, vendor-<package>-<part>; shared chunks are named after the module they are named
 * for by the bundler, or after the package most of their modules come from.
 */
function chunkName(chunk: { name: string; facadeModuleId: string | null; moduleIds: string[] }): string {
  const norm = (id: string) => id.replace(/\\/g, '/');
  const own = (id: string) =>
    /\/web\/src\/(routes|features|components|api)\/(?:([^/]+)\/)?([^/.]+)\.tsx?$/.exec(norm(id));
  const pkgOf = (id: string) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(norm(id))?.[1];
  const named =
    chunk.facadeModuleId ?? chunk.moduleIds.find((id) => norm(id).split('/').pop()?.startsWith(`${chunk.name}.`));
  const m = named ? own(named) : null;
  if (m) {
    const kind = m[1] === 'routes' ? 'route' : m[1] === 'features' ? 'feature' : m[1];
    return [kind, m[2], m[3]].filter(Boolean).join('-');
  }
  const counts = new Map<string, number>();
  for (const id of chunk.moduleIds) {
    const p = pkgOf(id);
    if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!top) return chunk.name;
  const pkg = top.replace(/^@/, '').replace(/\//g, '-');
  return pkg === chunk.name ? `vendor-${pkg}` : `vendor-${pkg}-${chunk.name}`;
}

// Runs from the repository root (`npx vite build --config web/vite.config.ts`) or from web/.
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        chunkFileNames: (chunk) => `assets/${chunkName(chunk)}-[hash].js`,
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.CITYDATA_API ?? 'http://localhost:8080', changeOrigin: false } },
  },
});
