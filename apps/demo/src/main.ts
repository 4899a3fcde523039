/**
 * The demo page: a drawing pad, the MNIST-style preprocessing, and the TT-LSTM classifier
 * (`model/model.json`, written by `pnpm run exp export-layers`) run with TensorFlow.js's cpu backend.
 *
 * For the browser test the page reports its state on <body data-state> ('loading', 'ready',
 * 'busy', 'error') and the guess on <#digit data-digit>.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import '@ttrnn/layers'; // registers TTLSTM, TTDense, … for loadLayersModel
import { SIZE, grayFromRgba, normalize, toMnist } from './preprocess.js';
import './style.css';

/** The metadata `export-layers` stores with the model. */
interface Metadata {
  ttrnn?: {
    run?: string;
    config?: { cell?: string; hiddenSize?: number; layers?: number; tt?: { cores: number; rank: number } | null };
    testAccuracy?: number | null;
    params?: number;
    denseParams?: number;
  };
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no element #${id}`);
  return el as T;
};

const pad = $<HTMLCanvasElement>('pad');
const preview = $<HTMLCanvasElement>('input');
const digitEl = $('digit');
const bars = $('bars');
const timingEl = $('timing');
const factsEl = $('model-facts');
const statusEl = $('status');
const ctx = pad.getContext('2d', { willReadFrequently: true })!;
const previewCtx = preview.getContext('2d')!;

const PEN = 18;
const times: number[] = [];
let model: tfl.LayersModel | null = null;

function setState(state: 'loading' | 'ready' | 'busy' | 'error', message?: string): void {
  document.body.dataset['state'] = state;
  if (message !== undefined) statusEl.textContent = message;
}

function clearPad(): void {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
  previewCtx.clearRect(0, 0, SIZE, SIZE);
  digitEl.textContent = '–';
  digitEl.dataset['digit'] = '';
  showProbabilities(null);
}

function buildBars(): void {
  for (let k = 0; k < 10; k++) {
    const li = document.createElement('li');
    li.innerHTML = `<span>${k}</span><span class="bar"><span class="fill"></span></span><span class="p">–</span>`;
    bars.appendChild(li);
  }
}

function showProbabilities(p: Float32Array | null): void {
  const best = p === null ? -1 : p.indexOf(Math.max(...p));
  Array.from(bars.children).forEach((li, k) => {
    const v = p === null ? 0 : p[k]!;
    (li.querySelector('.fill') as HTMLElement).style.width = `${(100 * v).toFixed(1)}%`;
    (li.querySelector('.p') as HTMLElement).textContent = p === null ? '–' : `${(100 * v).toFixed(1)}%`;
    li.classList.toggle('top', k === best);
  });
}

function showInput(img: Float32Array): void {
  const data = previewCtx.createImageData(SIZE, SIZE);
  for (let i = 0; i < img.length; i++) {
    const v = Math.round(255 * img[i]!);
    data.data.set([v, v, v, 255], 4 * i);
  }
  previewCtx.putImageData(data, 0, 0);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Classifies what is on the pad; calls that arrive while one runs are folded into one rerun. */
let running: Promise<void> | null = null;
let again = false;
function classify(): void {
  if (running !== null) {
    again = true;
    return;
  }
  setState('busy');
  running = classifyOnce()
    .catch((err: unknown) => {
      console.error(err);
      setState('error', `Classification failed: ${(err as Error).message}`);
    })
    .finally(() => {
      running = null;
      if (again) {
        again = false;
        classify();
      } else if (document.body.dataset['state'] === 'busy') {
        setState('ready');
      }
    });
}

async function classifyOnce(): Promise<void> {
  if (model === null) return;
  const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
  const img = toMnist(grayFromRgba(data, pad.width, pad.height));
  if (img === null) return;
  showInput(img);
  const x = tf.tensor3d(normalize(img), [1, SIZE, SIZE]); // 28 steps (rows) of 28 pixels
  const t0 = performance.now();
  const y = model.predict(x) as tf.Tensor;
  const p = (await y.data()) as Float32Array;
  const ms = performance.now() - t0;
  tf.dispose([x, y]);
  times.push(ms);
  const best = p.indexOf(Math.max(...p));
  digitEl.textContent = String(best);
  digitEl.dataset['digit'] = String(best);
  showProbabilities(p);
  timingEl.textContent = `Inference time: ${ms.toFixed(1)} ms for this drawing, median ${median(times).toFixed(1)} ms over ${times.length} (TensorFlow.js ${tf.getBackend()} backend)`;
}

// Drawing: white strokes on black, like MNIST's digits; pointer events cover mouse, pen and touch.
let last: { x: number; y: number } | null = null;
function point(e: PointerEvent): { x: number; y: number } {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
}
pad.addEventListener('pointerdown', (e) => {
  pad.setPointerCapture(e.pointerId);
  last = point(e);
  ctx.fillStyle = '#fff';
  ctx.beginPath();
  ctx.arc(last.x, last.y, PEN / 2, 0, 2 * Math.PI);
  ctx.fill();
});
pad.addEventListener('pointermove', (e) => {
  if (last === null) return;
  const p = point(e);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = PEN;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(last.x, last.y);
  ctx.lineTo(p.x, p.y);
  ctx.stroke();
  last = p;
});
const endStroke = (): void => {
  if (last === null) return;
  last = null;
  classify();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', clearPad);

function describeModel(m: tfl.LayersModel): string {
  const meta = (m.getUserDefinedMetadata() ?? {}) as Metadata;
  const info = meta.ttrnn ?? {};
  const c = info.config;
  const params = m.countParams();
  const kb = (n: number) => `${((4 * n) / 1024).toFixed(1)} KB`;
  const what = c?.tt
    ? `TT-${(c.cell ?? 'lstm').toUpperCase()}, hidden ${c.hiddenSize}, ${c.tt.cores} cores, rank ${c.tt.rank}`
    : 'recurrent classifier';
  let text = `${what}: ${params.toLocaleString('en')} parameters (${kb(params)} as float32).`;
  if (info.denseParams) {
    text += ` A dense LSTM of the same sizes has ${info.denseParams.toLocaleString('en')} parameters (${kb(info.denseParams)}), ${(info.denseParams / params).toFixed(1)}× more.`;
  }
  if (typeof info.testAccuracy === 'number')
    text += ` Accuracy on the 10,000 MNIST test digits: ${(100 * info.testAccuracy).toFixed(2)}%.`;
  return text;
}

async function main(): Promise<void> {
  buildBars();
  clearPad();
  await tf.setBackend('cpu');
  await tf.ready();
  const url = new URL('model/model.json', document.baseURI).href;
  model = await tfl.loadLayersModel(url);
  factsEl.textContent = describeModel(model);
  setState('ready', 'Ready: draw a digit in the black square.');
}

main().catch((err: unknown) => {
  console.error(err);
  setState('error', `The model could not be loaded: ${(err as Error).message}`);
});
