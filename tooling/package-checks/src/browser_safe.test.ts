import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { REPO_ROOT, publishedPackages } from './harness.js';

/** `process.x` or `process[…]` on the global, not `globalThis.process` or `{ process?: … }`. */
const PROCESS_READ = /(^|[^.\w$])process\s*[.[]/;
/** An import (static, dynamic or type-only) of a `node:` module. */
const NODE_IMPORT = /(from|import)\s*\(?\s*['"]node:/;

const out = mkdtempSync(join(tmpdir(), 'ttrnn-browser-safe-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Source text without comments and string contents, so that words in prose or messages do not count. */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/`(?:\\.|[^`\\])*`/g, '``')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""');
}

describe("every published package's main entry runs in a browser", () => {
  for (const pkg of publishedPackages()) {
    it(`${pkg.name}: bundles for the browser with no Node module, and none of its own files touches process`, async () => {
      // esbuild fails on any node:* import (or Node built-in) reachable from the entry; the metafile then
      // lists every file of this repository in the bundle, whose code must not use the global `process`.
      const result = await build({
        entryPoints: [join(pkg.dir, 'src/index.ts')],
        outfile: join(out, `${pkg.name.replace('/', '_')}.js`),
        bundle: true,
        platform: 'browser',
        format: 'esm',
        conditions: ['source'],
        metafile: true,
        logLevel: 'silent',
      });
      expect(result.errors).toEqual([]);
      const own = Object.keys(result.metafile.inputs).filter(
        (p) => !p.includes('node_modules') && /packages\/[^/]+\/src\//.test(p),
      );
      expect(own.length, 'the bundle holds the package sources').toBeGreaterThan(0);
      const offenders = own.filter((p) => {
        const text = readFileSync(join(process.cwd(), p), 'utf8');
        return (
          PROCESS_READ.test(code(text)) ||
          NODE_IMPORT.test(text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1'))
        );
      });
      expect(offenders.map((p) => relative(REPO_ROOT, join(process.cwd(), p)))).toEqual([]);
    });
  }

  it('the check itself catches a Node import and a process read', async () => {
    // A package source that reads the environment and the file system must fail both ways above.
    const bad = join(out, 'bad.ts');
    writeFileSync(
      bad,
      "import { readFileSync } from 'node:fs';\nexport const env = process.env['X'];\nexport const r = readFileSync;\n",
    );
    await expect(
      build({ entryPoints: [bad], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' }),
    ).rejects.toThrow(/node:fs/);
    expect(PROCESS_READ.test(code(readFileSync(bad, 'utf8')))).toBe(true);
    expect(NODE_IMPORT.test(readFileSync(bad, 'utf8'))).toBe(true);
    expect(PROCESS_READ.test(code('const e = (globalThis as { process?: X }).process?.env; // process.env'))).toBe(
      false,
    );
  });
});
