/**
 * The entry point of the GPU bundle (`pnpm run gpu-bundle`): `node ttrnn.mjs bench ...` runs the benchmark
 * (`pnpm run bench`), anything else the experiments CLI (`pnpm run exp`).
 */
if (process.argv[2] === 'bench') {
  process.argv.splice(2, 1);
  await import('../bench/run.js');
} else {
  await import('../src/cli.js');
}
