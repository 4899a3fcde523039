// Public API of @ttrnn/datasets. Each sub-barrel lists its public names explicitly.
export * from './mnist/index.js';
export * from './speech/index.js';
