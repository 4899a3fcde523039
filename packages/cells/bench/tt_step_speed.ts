/**
 * TT-LSTM (2 cores, mode auto) training step (forward, NLL, backward and an Adam update, as the
 * bench), variants interleaved (the order rotates every round), medians after one warm-up round.
 * Variants: `autodiff` (backward 'autodiff'), `default` (model.apply: the fused op where
 * `fusedForm` picks it), `fused` (fusedLstmSequence with ttHiddenProduct: per-step contraction,
 * cores prepared once per pass), `fused-old` (the same with ttMatmul, cores transposed at every
 * call), `fused-in-rebuild` / `fused-in-contract` (`fused` with the input product forced).
 * Compare two variants at a time: with more, the order effects were as large as the differences.
 *
 *   pnpm --filter @ttrnn/experiments exec tsx --conditions=source ../../packages/cells/bench/tt_step_speed.ts \
 *     [steps,input,hidden,batch] [rank] [rounds] [variants, default autodiff,fused]
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@ttrnn/backend';
import { ttMatmul } from '@ttrnn/tt';
import { performance } from 'node:perf_hooks';
import { addRowVector, createModel, fusedLstmSequence, ttHiddenProduct } from '../src/index.js';
import type { HiddenProduct, ModelConfig, SequenceClassifier } from '../src/index.js';

await initBackend('wasm', { fastKernels: true });
const [steps, input, hidden, batch] = (process.argv[2] ?? '28,28,256,128').split(',').map(Number) as [number, number, number, number];
const rank = Number(process.argv[3] ?? 2);
const rounds = Number(process.argv[4] ?? 7);
const cfg = (backward: 'fused' | 'autodiff'): ModelConfig =>
  ({ task: 'classifier', inputSize: input, hiddenSize: hidden, layers: 1, outputSize: 10, mode: 'auto', cell: 'lstm',
    tt: { cores: 2, rank, extraCore: 'none', naive: false }, backward }) as ModelConfig;

/** The hidden product before this change: ttMatmul (cores transposed at every call). */
function unprepared(p0: HiddenProduct): HiddenProduct {
  return {
    params: p0.params,
    forward: (p) => (h) => ttMatmul(h, p),
    transposed: (p) => {
      const coresT = p.map((c) => tf.transpose(c, [0, 2, 1, 3]));
      return (da) => ttMatmul(da, coresT);
    },
    paramGrads: p0.paramGrads,
  };
}

function fusedApply(m: SequenceClassifier, old: boolean, inMethod: 'auto' | 'rebuild' | 'contract' = 'auto') {
  return (x: tf.Tensor3D) =>
    tf.tidy(() => {
      const cell = m.rnn.cells[0]!;
      const xs = tf.reshape(tf.transpose(x, [1, 0, 2]), [steps * batch, input]) as tf.Tensor2D;
      let xw = cell.inputWeights.product(xs, inMethod === 'auto' ? cell.inputWeights.chooseMethod(steps * batch, 1, 'auto') : inMethod);
      xw = addRowVector(xw, tf.add(cell.inputWeights.biasVector()!, cell.hiddenWeights.biasVector()!) as tf.Tensor1D);
      const cores = (cell.hiddenWeights as unknown as { cores: tf.Tensor[] }).cores;
      const hp = old ? unprepared(ttHiddenProduct(cores)) : ttHiddenProduct(cores);
      const z = tf.zeros([batch, hidden]) as tf.Tensor2D;
      const r = fusedLstmSequence(xw, steps, batch, hp, z, z);
      return tf.logSoftmax(m.head.apply(r.h, m.head.chooseMethod(batch, 1, 'auto')));
    });
}

const x = tf.randomNormal([batch, steps, input]) as tf.Tensor3D;
const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32') as tf.Tensor1D, 10);
const mA = createModel(cfg('autodiff'), 1) as SequenceClassifier;
const mD = createModel(cfg('fused'), 1) as SequenceClassifier;
type Variant = [string, SequenceClassifier, (x: tf.Tensor3D) => tf.Tensor2D];
const all: Variant[] = [
  ['autodiff', mA, (v) => mA.apply(v)],
  ['default', mD, (v) => mD.apply(v)],
  ['fused-old', mA, fusedApply(mA, true)],
  ['fused', mA, fusedApply(mA, false)],
  ['fused-in-rebuild', mA, fusedApply(mA, false, 'rebuild')],
  ['fused-in-contract', mA, fusedApply(mA, false, 'contract')],
];
const wanted = (process.argv[5] ?? 'autodiff,fused').split(',');
const variants = all.filter(([n]) => wanted.includes(n));
const times: Record<string, number[]> = {};
const opts: Record<string, tf.Optimizer> = {};
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < variants.length; k++) {
    const [name, m, apply] = variants[(k + r) % variants.length]!;
    const vars = m.namedWeights().map((w) => w.variable);
    const opt = (opts[name] ??= tf.train.adam(1e-3));
    const t0 = performance.now();
    const loss = opt.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(apply(x), y), 1))) as tf.Scalar, true, vars)!;
    await loss.data();
    const dt = performance.now() - t0;
    loss.dispose();
    if (r > 0) (times[name] ??= []).push(dt);
  }
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
console.log(`tt-lstm c2 r${rank} auto [${steps},${input},${hidden},${batch}] ` + Object.entries(times).map(([k, v]) => `${k} ${med(v).toFixed(0)}`).join(', ') + ` ms (medians of ${rounds - 1})`);
