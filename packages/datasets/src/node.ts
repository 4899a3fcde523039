// @ttrnn/datasets/node: the whole package, for Node. Each sub-barrel lists its public names explicitly;
// src/index.ts is the browser-safe part of the same names.
export * from './mnist/index.js';
export * from './speech/index.js';
