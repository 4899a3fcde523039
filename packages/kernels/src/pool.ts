/**
 * Runs the kernels' entry points on every core: worker threads instantiate the same module over
 * the same shared WebAssembly.Memory, and each call splits one index range (batch rows, weight
 * rows, columns) between the calling thread and the workers. The caller blocks (Atomics.wait, which
 * Node allows on its main thread) until every share is done, so a kernel call stays synchronous.
 *
 * Node only (worker_threads, reached through `process.getBuiltinModule` so that bundlers never see
 * it); elsewhere, or with one thread, the calling thread runs the whole range.
 */

import type { WasmMemory, WasmModule } from './wasm_api.js';

/** The module's entry points that a job may call, in the order of their job codes. */
export const ENTRY_POINTS = [
  'lstmForward',
  'lstmBackward',
  'gruForward',
  'gruBackward',
  'gemmTN',
  'colSum',
  'transpose',
  'packStrips',
  'packStripsT',
  'gemmRows',
] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

type Exports = Record<EntryPoint, (...args: number[]) => void>;

/** One call split over threads: `fn(...args, lo, hi)` on consecutive slices of [0, total). */
export interface Job {
  readonly fn: EntryPoint;
  readonly args: readonly number[];
  readonly total: number;
  /** Slice boundaries are multiples of this (4: whole row blocks of the products). */
  readonly align: number;
  /** Optional argument that differs per thread: args[index] + thread · stride (per-thread scratch). */
  readonly perThread?: { readonly index: number; readonly stride: number };
}

// Control words (Int32Array over a SharedArrayBuffer).
const GEN = 0;
const DONE = 1;
const FN = 2;
const ERROR = 3;
const ARGC = 4;
const TOTAL = 5;
const ALIGN = 6;
const PT_INDEX = 7;
const PT_STRIDE = 8;
const SHUTDOWN = 9;
const CTRL_WORDS = 16;
const MAX_ARGS = 32;

/** [lo, hi) of participant `idx` among `n` for a range of `total` in units of `align` (repeated in WORKER_SOURCE). */
export function sliceOf(total: number, align: number, idx: number, n: number): [number, number] {
  const units = Math.ceil(total / align);
  const lo = Math.floor((units * idx) / n) * align;
  const hi = Math.min(total, Math.floor((units * (idx + 1)) / n) * align);
  return [Math.min(lo, total), hi];
}

// The worker's whole program (CommonJS, run with `eval: true`: no file to locate or bundle).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, args, index, threads, names } = workerData;
const exp = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(ctrl);
const a = new Float64Array(args);
function sliceOf(total, align, idx, n) {
  const units = Math.ceil(total / align);
  const lo = Math.floor((units * idx) / n) * align;
  return [Math.min(lo, total), Math.min(total, Math.floor((units * (idx + 1)) / n) * align)];
}
let gen = 0;
for (;;) {
  Atomics.wait(c, ${GEN}, gen);
  gen = Atomics.load(c, ${GEN});
  if (Atomics.load(c, ${SHUTDOWN}) === 1) break;
  try {
    const argc = c[${ARGC}];
    const list = Array.from(a.subarray(0, argc));
    if (c[${PT_INDEX}] >= 0) list[c[${PT_INDEX}]] += index * c[${PT_STRIDE}];
    const [lo, hi] = sliceOf(c[${TOTAL}], c[${ALIGN}], index, threads);
    if (hi > lo) exp[names[c[${FN}]]](...list, lo, hi);
  } catch (e) {
    Atomics.store(c, ${ERROR}, 1);
  }
  if (Atomics.add(c, ${DONE}, 1) + 1 === threads - 1) Atomics.notify(c, ${DONE});
}
`;

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
}

type WorkerCtor = new (src: string, opts: { eval: true; workerData: unknown }) => WorkerLike;

function workerConstructor(): WorkerCtor | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:worker_threads') as { Worker?: WorkerCtor } | undefined;
  return mod?.Worker ?? null;
}

/** Whether this runtime can run the kernels on several threads (Node with worker_threads). */
export function threadsSupported(): boolean {
  return workerConstructor() !== null && typeof SharedArrayBuffer !== 'undefined';
}

export class ThreadPool {
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly workers: WorkerLike[] = [];

  /** `exports` of the calling thread's instance; `module` and `memory` are shared with the workers. */
  constructor(
    private readonly exports: Exports,
    module: WasmModule,
    memory: WasmMemory,
    threads: number,
  ) {
    const Worker = threads > 1 ? workerConstructor() : null;
    this.threads = Worker === null ? 1 : threads;
    // One thread needs no shared memory; a page that is not cross-origin isolated has no SharedArrayBuffer.
    const Buffer = this.threads > 1 ? SharedArrayBuffer : ArrayBuffer;
    const ctrl = new Buffer(CTRL_WORDS * 4);
    const args = new Buffer(MAX_ARGS * 8);
    this.ctrl = new Int32Array(ctrl);
    this.args = new Float64Array(args);
    for (let index = 1; index < this.threads; index++) {
      const w = new Worker!(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, ctrl, args, index, threads: this.threads, names: ENTRY_POINTS },
      });
      // Idle workers must not keep the process alive.
      w.unref();
      this.workers.push(w);
    }
  }

  /** Runs `job` on every thread; returns when all are done. */
  run(job: Job): void {
    const { fn, args, total, align, perThread } = job;
    if (args.length > MAX_ARGS)
      throw new Error(`ThreadPool.run: ${fn} has ${args.length} arguments, at most ${MAX_ARGS}`);
    if (this.threads === 1 || total <= align) {
      if (total > 0) this.exports[fn](...args, 0, total);
      return;
    }
    const c = this.ctrl;
    this.args.set(args);
    c[FN] = ENTRY_POINTS.indexOf(fn);
    c[ARGC] = args.length;
    c[TOTAL] = total;
    c[ALIGN] = align;
    c[PT_INDEX] = perThread?.index ?? -1;
    c[PT_STRIDE] = perThread?.stride ?? 0;
    Atomics.store(c, ERROR, 0);
    Atomics.store(c, DONE, 0);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    const [lo, hi] = sliceOf(total, align, 0, this.threads);
    if (hi > lo) this.exports[fn](...args, lo, hi);
    const need = this.threads - 1;
    let waited = 0;
    for (let done = Atomics.load(c, DONE); done < need; done = Atomics.load(c, DONE)) {
      // Slices of 1 s: a worker that died would otherwise block forever.
      if (Atomics.wait(c, DONE, done, 1000) === 'timed-out' && (waited += 1) > 120) {
        throw new Error(
          `kernel thread pool: ${fn} did not finish on ${need - done} of ${need} worker threads within 120 s`,
        );
      }
    }
    if (Atomics.load(c, ERROR) !== 0) throw new Error(`kernel thread pool: ${fn} failed on a worker thread`);
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, SHUTDOWN, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
