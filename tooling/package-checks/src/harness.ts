/**
 * What the package checks share: the list of published packages, README code blocks, an esbuild browser
 * bundle, a static file server, and a throw-away headless Chromium (Debian's, driven by playwright-core).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '@ttrnn/test-utils/chromium';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHECKS_DIR = fileURLToPath(new URL('../', import.meta.url));

export { CHROMIUM_ARGS, CHROMIUM_GPU_ARGS, HAVE_CHROMIUM, NO_CHROMIUM_MESSAGE } from '@ttrnn/test-utils/chromium';

export interface PublishedPackage {
  readonly name: string;
  readonly dir: string;
  readonly manifest: Record<string, unknown>;
}

/** Every non-private package under packages/. */
export function publishedPackages(): PublishedPackage[] {
  const root = join(REPO_ROOT, 'packages');
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'package.json')))
    .map((d) => {
      const manifest = JSON.parse(readFileSync(join(root, d, 'package.json'), 'utf8')) as Record<string, unknown>;
      return { name: manifest['name'] as string, dir: join(root, d), manifest };
    })
    .filter((p) => p.manifest['private'] !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface CodeBlock {
  /** README path relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** Words after `ts` on the fence line (`no-test`). */
  readonly flags: readonly string[];
  readonly code: string;
}

/** The ```ts blocks of the root README and of every package's README. */
export function readmeBlocks(): CodeBlock[] {
  const files = ['README.md', ...publishedPackages().map((p) => join(p.dir, 'README.md').slice(REPO_ROOT.length))];
  const blocks: CodeBlock[] = [];
  for (const file of files) {
    const path = join(REPO_ROOT, file);
    if (!existsSync(path)) continue;
    const lines = readFileSync(path, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^```ts(?:\s+(.*))?$/.exec(lines[i]!);
      if (open === null) continue;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
      blocks.push({
        file,
        line: start + 1,
        flags: (open[1] ?? '').split(/\s+/).filter(Boolean),
        code: body.join('\n') + '\n',
      });
    }
  }
  return blocks;
}

/**
 * What a block says it prints: for each `console.log(…)` line in order, the first word of its trailing
 * `// comment` with quotes removed (`// 'wasm' (or …)` → `wasm`), or null where the line has no comment.
 */
export function annotatedOutputs(code: string): Array<string | null> {
  const out: Array<string | null> = [];
  for (const line of code.split('\n')) {
    if (!/^\s*console\.log\(/.test(line)) continue;
    const comment = /\/\/\s*(\S+)/.exec(line.slice(line.lastIndexOf(');') + 2));
    out.push(comment === null ? null : comment[1]!.replace(/^['"`]|['"`:,]+$/g, ''));
  }
  return out;
}

/** Lines printed by a run, checked against `annotatedOutputs`; returns the mismatches as messages. */
export function outputMismatches(code: string, printed: readonly string[]): string[] {
  const expected = annotatedOutputs(code);
  const problems: string[] = [];
  if (printed.length < expected.length)
    problems.push(`printed ${printed.length} lines, the example has ${expected.length} console.log calls`);
  expected.forEach((e, i) => {
    if (e !== null && printed[i] !== undefined && printed[i]!.trim() !== e)
      problems.push(`console.log #${i + 1}: printed '${printed[i]}', the README says '${e}'`);
  });
  return problems;
}

/**
 * Bundles `entry` for the browser with esbuild (no externals): the way a user's bundler sees the packages.
 * `conditions` adds export conditions (the workspace's `source` to bundle from TypeScript sources).
 */
export async function bundleForBrowser(
  entry: string,
  outfile: string,
  options: { conditions?: string[]; nodePaths?: string[]; absWorkingDir?: string } = {},
): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    logLevel: 'error',
    ...(options.conditions ? { conditions: options.conditions } : {}),
    ...(options.nodePaths ? { nodePaths: options.nodePaths } : {}),
    ...(options.absWorkingDir ? { absWorkingDir: options.absWorkingDir } : {}),
  });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

export interface Served {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `dir` on a free localhost port (GET only, no listing). */
export async function serveDirectory(dir: string): Promise<Served> {
  const root = normalize(dir + sep);
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent((req.url ?? '/').split('?')[0]!)));
    const file = path.endsWith(sep) ? join(path, 'index.html') : path;
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface PageRun {
  /** console.log lines, in order. */
  readonly logs: string[];
  /** Uncaught errors and console.error lines. */
  readonly errors: string[];
  /** Whether the page set `window.__done` (its script finished). */
  readonly done: boolean;
}

/**
 * Opens `url` in a fresh headless Chromium (a new user-data directory, removed afterwards; `args` its
 * flags) and waits until the page sets `window.__done`, reports an error, or `timeoutMs` passes.
 */
export async function runInChromium(url: string, timeoutMs = 120_000, args = CHROMIUM_ARGS): Promise<PageRun> {
  const profile = mkdtempSync(join(tmpdir(), 'ttrnn-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
  });
  const logs: string[] = [];
  const errors: string[] = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
      else if (m.type() === 'log') logs.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e.stack ?? e)));
    await page.goto(url);
    const deadline = Date.now() + timeoutMs;
    let done = false;
    while (!done && errors.length === 0 && Date.now() < deadline) {
      done = await page.evaluate(() => (window as unknown as { __done?: boolean }).__done === true);
      if (!done) await new Promise((r) => setTimeout(r, 100));
    }
    return { logs, errors, done };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** An HTML page that runs `app.js` as a module. */
export const PAGE_HTML =
  '<!doctype html><meta charset="utf-8"><title>ttrnn check</title><link rel="icon" href="data:,"><script type="module" src="./app.js"></script>\n';

/** The entry of a page bundle: runs `example` (whose top-level awaits finish first), then says so. */
export function pageEntry(exampleImport: string): string {
  return `import ${JSON.stringify(exampleImport)};\n(window as unknown as { __done: boolean }).__done = true;\n`;
}
