import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';

/** The wasm backend's registered kernel `name`; `fn` (the installer) is named in the error when it is missing. */
export function wasmKernel(name: string, fn: string): KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (k === undefined) {
    throw new Error(`${fn}: the wasm backend has no '${name}' kernel; import '@tensorflow/tfjs-backend-wasm' first`);
  }
  return k;
}
