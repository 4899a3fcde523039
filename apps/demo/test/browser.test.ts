/**
 * The demo in a real browser: the page is built with Vite into a temporary folder, served on a free
 * localhost port by Vite's preview server, and opened in Debian's Chromium (headless, driven by
 * playwright-core; no browser download). The test draws MNIST test digits onto the canvas with the
 * mouse, row by row, and checks the page's guesses and that the page logged no error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, NO_CHROMIUM_MESSAGE, guessOf, mnistTestDigits, serveAndLaunch } from './harness.js';
import type { Served } from './harness.js';

if (!HAVE_CHROMIUM) console.warn(`demo browser test skipped: ${NO_CHROMIUM_MESSAGE}`);

describe.skipIf(!HAVE_CHROMIUM)('the demo page in Chromium', () => {
  let served: Served | null = null;

  beforeAll(async () => {
    served = await serveAndLaunch();
  });

  afterAll(async () => {
    await served?.close();
  });

  it('classifies MNIST test digits drawn with the mouse, with no console error', async () => {
    const page = await served!.browser.newPage({ viewport: { width: 900, height: 900 } });
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(served!.url);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    await expect(page.locator('#model-facts').textContent()).resolves.toMatch(
      /parameters .*A dense LSTM of the same sizes has/,
    );

    const digits = await mnistTestDigits([0, 1, 2, 3]);
    expect(digits.map((d) => d.label)).toEqual([7, 2, 1, 0]); // the test set's first labels
    const guesses: number[] = [];
    for (const digit of digits) guesses.push(await guessOf(page, digit));
    expect(guesses).toEqual([7, 2, 1, 0]);
    await expect(page.locator('#timing').textContent()).resolves.toMatch(/Inference time: \d+\.\d ms/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
