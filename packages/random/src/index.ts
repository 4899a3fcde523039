export { Rng, deriveSeed } from './rng.js';
export type { RngState } from './rng.js';
