#!/usr/bin/env node
/**
 * The GPU run, inside the bundle made by `pnpm run gpu-bundle` (plain Node ≥ 20, no packages):
 *
 *   node run.mjs [--backend webgpu|wasm] [--quick] [--epochs N] [--no-bench] [--no-speaker] [--no-mnist]
 *
 * 1. the benchmark at the row-MNIST shape (batch 128, 28 steps, hidden 256): inference and training-step
 *    time of the dense LSTM/GRU and the TT models (`ttrnn.mjs bench --shape row-mnist`), then at the speaker
 *    encoder's shape (batch 16 × 32, 160 frames, hidden 768; `--shape speaker`; --quick: at batch 2, only to
 *    check that it runs);
 * 2. a paper-profile slice: one MNIST configuration of the paper's settings (TT-LSTM, 2 cores, rank 4,
 *    hidden 256, batch 128, Adam 1e-2, all 50,000 training images) for --epochs epochs (default 1);
 * then prints one table and writes results-<backend>.json. --quick: fewer benchmark configurations and a
 * 1,024-image MNIST slice, for checking that everything runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const KNOWN = ['--backend', '--quick', '--epochs', '--no-bench', '--no-speaker', '--no-mnist', '--help'];
for (const a of args) {
  if (a.startsWith('--') && !KNOWN.includes(a)) {
    console.error(`run.mjs: unknown option ${a} (known: ${KNOWN.join(', ')})`);
    process.exit(2);
  }
}
if (args.includes('--help')) {
  console.log('node run.mjs [--backend webgpu|wasm] [--quick] [--epochs N] [--no-bench] [--no-speaker] [--no-mnist]');
  process.exit(0);
}
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const backend = value('--backend', 'webgpu');
if (!['webgpu', 'wasm', 'cpu'].includes(backend)) {
  console.error(`run.mjs: --backend must be webgpu, wasm or cpu, got '${backend}'`);
  process.exit(2);
}
const epochs = Number(value('--epochs', '1'));
if (!Number.isInteger(epochs) || epochs < 1) {
  console.error(`run.mjs: --epochs must be a positive integer, got '${value('--epochs')}'`);
  process.exit(2);
}
const quick = args.includes('--quick');

/** Runs the bundled CLI; its progress goes to our stderr, its JSON comes back. */
function ttrnn(cliArgs) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(here, 'ttrnn.mjs'), ...cliArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  });
  const seconds = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`ttrnn.mjs ${cliArgs.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return { json: JSON.parse(r.stdout.toString('utf8')), seconds };
}

const results = {
  backend,
  quick,
  startedAt: new Date().toISOString(),
  node: process.version,
  bench: null,
  speakerBench: null,
  mnist: null,
};
const lines = [];
/** The benchmark at one shape, as a table of medians. */
function benchTable(shape, title, extra) {
  const b = ttrnn(['bench', '--backend', backend, '--shape', shape, '--json', ...(quick ? ['--quick'] : []), ...extra]);
  lines.push(`Benchmark, ${title}, ${backend}, medians:`, '');
  lines.push('| model | parameters | inference ms | training step ms |', '|---|---:|---:|---:|');
  for (const r of b.json) {
    const name =
      r.cores === null
        ? `dense ${r.model}`
        : `${r.model} ${r.cores} cores rank ${r.rank}${r.mode ? ` (${r.mode})` : ''}`;
    const path = r.path === 'plain' ? ', plain path' : '';
    lines.push(
      `| ${name}${path} | ${r.params.toLocaleString('en')} | ${r.inferMs.toFixed(1)} | ${r.trainMs.toFixed(1)} |`,
    );
  }
  lines.push('');
  return b.json;
}
if (!args.includes('--no-bench')) {
  results.bench = benchTable('row-mnist', 'row-MNIST shape (batch 128, 28 steps, hidden 256)', []);
  if (!args.includes('--no-speaker')) {
    results.speakerBench = benchTable(
      'speaker',
      `speaker encoder's shape (${quick ? 'batch 2 (--quick)' : 'batch 16 × 32'}, 160 frames, hidden 768, checkpointed in chunks of 16)`,
      quick ? ['--batch', '2'] : [],
    );
  }
}
if (!args.includes('--no-mnist')) {
  const runDir = join(here, 'runs', `mnist-${backend}${quick ? '-quick' : ''}-e${epochs}`);
  const slice = quick ? ['--train-limit', '1024', '--test-limit', '512'] : ['--train-limit', '0', '--test-limit', '0'];
  const m = ttrnn([
    'mnist',
    '--backend',
    backend,
    '--data-dir',
    join(here, 'mnist'),
    '--model',
    'tt-lstm',
    '--cores',
    '2',
    '--rank',
    '4',
    '--epochs',
    String(epochs),
    ...slice,
    '--run-dir',
    runDir,
    ...(existsSync(join(runDir, 'checkpoint.ckpt')) ? ['--resume'] : []),
    '--json',
  ]);
  results.mnist = { ...m.json, wallSeconds: m.seconds };
  const j = m.json;
  lines.push(
    `Paper-profile MNIST slice (${quick ? '1,024 training images, quick' : 'all 50,000 training images'}), ${backend}:`,
    '',
  );
  lines.push(
    '| model | parameters | epochs | test accuracy | ms per training step | training s | wall s |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  lines.push(
    `| TT-LSTM 2 cores rank 4, hidden 256 | ${j.params.toLocaleString('en')} | ${epochs} | ${(100 * j.testAccuracy).toFixed(2)}% | ` +
      `${j.stepMs !== undefined ? j.stepMs.toFixed(0) : '-'} | ${j.trainSeconds.toFixed(0)} | ${m.seconds.toFixed(0)} |`,
  );
  lines.push('');
}
const env = results.mnist?.environment ?? null;
if (env !== null)
  lines.push(
    `Backend ${env.backend}${env.adapter ? ` on ${env.adapter}` : ''}, tfjs ${env.tfjsVersion}, Node ${process.version}.`,
  );
const file = join(here, `results-${backend}${quick ? '-quick' : ''}.json`);
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(lines.join('\n'));
console.log(`\n(all figures: ${file})`);
