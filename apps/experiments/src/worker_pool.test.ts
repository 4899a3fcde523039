import { describe, expect, it } from 'vitest';
import { kernelThreadsPerLane } from './worker_pool.js';

describe('kernelThreadsPerLane', () => {
  it('divides the cores between the worker processes, at least one thread each', () => {
    expect(kernelThreadsPerLane(1, 2)).toBe(2);
    expect(kernelThreadsPerLane(2, 2)).toBe(1);
    expect(kernelThreadsPerLane(3, 2)).toBe(1);
    expect(kernelThreadsPerLane(3, 16)).toBe(5);
  });
});
