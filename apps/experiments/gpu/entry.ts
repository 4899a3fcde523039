/**
 * The entry point of the GPU bundle (`pnpm run gpu-bundle`): `node ttrnn.mjs bench ...` runs the benchmark
 * (`pnpm run bench`), anything else the experiments CLI (`pnpm run exp`).
 */
const bench = process.argv[2] === 'bench';
if (bench) process.argv.splice(2, 1);
await (bench ? import('../bench/run.js') : import('../src/cli.js'));
