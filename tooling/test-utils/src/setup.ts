/**
 * Vitest set-up shared by the packages (`vitest-config.js` lists it): initialises
 * the backend named by TTRNN_BACKEND (wasm by default) and checks every test for
 * tensor leaks.
 */
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { backendFromEnv, initBackend } from '@ttrnn/backend';

let before = 0;

beforeAll(async () => {
  await initBackend(backendFromEnv());
});

beforeEach(() => {
  before = tf.memory().numTensors;
});

afterEach((ctx) => {
  // A test that failed may legitimately leave tensors behind; report leaks only for passing tests.
  if (ctx.task.result?.state === 'fail') return;
  const after = tf.memory().numTensors;
  expect(after - before, `tensor leak: ${after - before} tensors left by "${ctx.task.name}"`).toBe(0);
});
