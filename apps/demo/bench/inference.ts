/**
 * `pnpm --filter demo run bench [N]`: the demo's inference time in headless Chromium. Builds and serves
 * the page, draws the first N (default 20) MNIST test digits, and prints the page's own measurement
 * (model.predict + reading the result, cpu backend) and how many guesses were right. Never part of the tests.
 */
import { loadavg } from 'node:os';
import { HAVE_CHROMIUM, NO_CHROMIUM_MESSAGE, guessOf, mnistTestDigits, serveAndLaunch } from '../test/harness.js';

const n = Number(process.argv[2] ?? 20);
if (!Number.isInteger(n) || n < 1 || n > 10_000)
  throw new Error(`the number of digits must be an integer in 1..10000, got ${process.argv[2]}`);
if (!HAVE_CHROMIUM) throw new Error(NO_CHROMIUM_MESSAGE);

const served = await serveAndLaunch();
try {
  const page = await served.browser.newPage({ viewport: { width: 900, height: 900 } });
  const t0 = Date.now();
  await page.goto(served.url);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
  const loadMs = Date.now() - t0;
  let right = 0;
  const digits = await mnistTestDigits(Array.from({ length: n }, (_, i) => i));
  for (const d of digits) if ((await guessOf(page, d)) === d.label) right++;
  const timing = await page.locator('#timing').textContent();
  console.log(`page ready (model loaded) after ${loadMs} ms`);
  console.log(`${right}/${n} drawn MNIST test digits classified right`);
  console.log(timing);
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await served.close();
}
