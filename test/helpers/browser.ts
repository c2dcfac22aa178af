import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from './server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = path.join(ROOT, 'web', 'dist');
export const RESULTS_DIR = path.join(ROOT, 'test-results');

/** The browser is a required part of the suite: when it is missing the run fails instead of skipping. */
export const BROWSER_PATH = process.env.CITYDATA_BROWSER || '/usr/bin/chromium';

let buildOnce: Promise<void> | null = null;

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/** Builds web/dist with Vite's JS API when it is missing or older than web/src (once per test process). */
export function ensureWebBuilt(): Promise<void> {
  buildOnce ??= (async () => {
    const index = path.join(WEB_DIST, 'index.html');
    const sources = Math.max(
      newestMtime(path.join(ROOT, 'web', 'src')),
      newestMtime(path.join(ROOT, 'web', 'index.html')),
    );
    if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
    const vite = await import('vite');
    // Vitest sets NODE_ENV=test, which would make Vite emit a development bundle of React and antd.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await vite.build({ configFile: path.join(ROOT, 'web', 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
  })();
  return buildOnce;
}

/** Playwright gives every launch a fresh temporary profile (user-data dir) and removes it on close. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(BROWSER_PATH))
    throw new Error(`No browser at ${BROWSER_PATH}: install Debian's chromium or set CITYDATA_BROWSER`);
  return chromium.launch({
    executablePath: BROWSER_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Serves web/dist with an SPA fallback and forwards /api to the app. Used only when the app itself does not serve
 * the portal (so the browser tests do not depend on how the server wires static files).
 */
function startPortalProxy(apiPort: number): Promise<http.Server> {
  const types: Record<string, string> = {
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.html': 'text/html; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.json': 'application/json',
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/api')) {
      const up = http.request(
        { host: '127.0.0.1', port: apiPort, path: url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
      return;
    }
    const p = decodeURIComponent(url.split('?')[0] ?? '/');
    let file = path.join(WEB_DIST, p);
    if (!file.startsWith(WEB_DIST) || !fs.existsSync(file) || fs.statSync(file).isDirectory())
      file = path.join(WEB_DIST, 'index.html');
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export interface PortalHarness {
  server: TestServer;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (own cookies and storage) at 1366×768 unless told otherwise. */
  newPage(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** The real server (temp data dir, SQLite) listening on a free port, the built portal and a headless chromium. */
export async function startPortal(): Promise<PortalHarness> {
  await ensureWebBuilt();
  const server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const apiPort = (server.app.server.address() as AddressInfo).port;
  let baseUrl = `http://127.0.0.1:${apiPort}`;
  let proxy: http.Server | null = null;
  const probe = await fetch(`${baseUrl}/datasets`);
  if (!(probe.headers.get('content-type') ?? '').includes('text/html')) {
    proxy = await startPortalProxy(apiPort);
    baseUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  }
  const browser = await launchBrowser();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  return {
    server,
    baseUrl,
    browser,
    newPage: async (viewport = { width: 1366, height: 768 }) => {
      const context = await browser.newContext({ viewport, baseURL: baseUrl, locale: 'zh-CN' });
      // Fail fast: every step of these pages settles within a second or two.
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      return { context, page };
    },
    close: async () => {
      await browser.close();
      if (proxy) await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await server.close();
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const axeSource = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // Runs in the browser; the test tsconfig has no DOM types, hence the structural cast.
    const g = globalThis as unknown as {
      document: unknown;
      axe: { run(ctx: unknown, opts: object): Promise<{ violations: AxeViolation[] }> };
    };
    const r = await g.axe.run(g.document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .slice(0, 3)
        .map((n) => ({ target: n.target, html: n.html.slice(0, 200), failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`), fullPage: false });
}

/**
 * Ticks (or, with `on` false, clears) an antd checkbox the way a user does: after the dialog's opening animation has
 * ended, and again if a re-render of a busy page swallowed the click (seen on a loaded CI machine). Fails if the
 * state never sticks.
 */
/** Resolves once no antd opening animation runs (a dialog zooming in): input given meanwhile can be lost. */
export async function animationsDone(page: Page): Promise<void> {
  await page.waitForFunction("!document.querySelector('.ant-zoom-appear, .ant-zoom-enter, .ant-fade-appear')");
}

/** The open dialog, once it is shown and has finished zooming in. */
export async function openDialog(page: Page): Promise<Locator> {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await animationsDone(page);
  return dialog;
}

export async function tick(box: Locator, on = true): Promise<void> {
  const page = box.page();
  await animationsDone(page);
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await box.isChecked()) !== on) await box.click();
    await page.waitForTimeout(100);
    if ((await box.isChecked()) === on) return;
  }
  throw new Error(`the checkbox ${String(box)} did not stay ${on ? 'ticked' : 'clear'}`);
}
