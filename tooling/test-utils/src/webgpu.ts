/**
 * The set-up the webgpu test files share: whether webgpu can run here, and hooks that move a describe block onto
 * it. In Node without a GPU it runs through SwiftShader (see @ttrnn/backend); where no Vulkan driver is found the
 * tests skip with the message naming what to install.
 */
import { afterAll, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { backendFromEnv, initBackend, webgpuProblem } from '@ttrnn/backend';

/** Why webgpu cannot run here (also printed: skipping `what`), or null. */
export async function webgpuSkipReason(what: string): Promise<string | null> {
  const problem = await webgpuProblem();
  if (problem !== null) console.warn(`skipping ${what}: ${problem}`);
  return problem;
}

/**
 * Call inside a describe block: its tests run on webgpu, then the default backend comes back. `cpuForward:
 * false` turns off tfjs-backend-webgpu's forwarding of small ops (under 1000 elements) to the CPU, so that every
 * result lives on the GPU only, as on a real model's sizes.
 */
export function onWebGPU(options: { readonly cpuForward?: boolean } = {}): void {
  const forward = options.cpuForward ?? true;
  beforeAll(async () => {
    await initBackend('webgpu');
    tf.env().set('WEBGPU_CPU_FORWARD', forward);
  });
  afterAll(async () => {
    tf.env().set('WEBGPU_CPU_FORWARD', true);
    await initBackend(backendFromEnv());
  });
}
