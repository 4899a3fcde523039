/**
 * Learning curves from a trainer's metrics.jsonl: the per-step training loss/accuracy averaged over
 * windows (so a curve has a few dozen points, not thousands), plus the validation metrics of every
 * evaluation. Lines that are not JSON objects are skipped; the file is the trainer's, not ours.
 */
import type { CurvePoint } from './results.js';

interface StepLine {
  step: number;
  loss?: number;
  accuracy?: number;
  eer?: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * `points` window means of the step records (each window covers ⌈steps/points⌉ steps but at least
 * `minWindow`, placed at its last step), then one point per epoch/evaluation record with its validation metrics (`valLoss`,
 * `valAccuracy`, `valEer`). Sorted by step.
 */
export function curveFromMetrics(jsonl: string, points = 25, minWindow = 5): CurvePoint[] {
  const steps: StepLine[] = [];
  const evals: CurvePoint[] = [];
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (rec === null || typeof rec !== 'object' || !finite(rec['step'])) continue;
    if (rec['type'] === 'step') {
      const s: StepLine = { step: rec['step'] };
      if (finite(rec['loss'])) s.loss = rec['loss'];
      if (finite(rec['accuracy'])) s.accuracy = rec['accuracy'];
      if (finite(rec['eer'])) s.eer = rec['eer'];
      steps.push(s);
    } else if (finite(rec['valLoss']) || finite(rec['valAccuracy']) || finite(rec['valEer'])) {
      const p: { -readonly [K in keyof CurvePoint]: CurvePoint[K] } = { step: rec['step'] };
      if (finite(rec['epoch'])) p.epoch = rec['epoch'];
      if (finite(rec['valLoss'])) p.validationLoss = rec['valLoss'];
      if (finite(rec['valAccuracy'])) p.validationAccuracy = rec['valAccuracy'];
      if (finite(rec['valEer'])) p.validationEer = rec['valEer'];
      evals.push(p);
    }
  }
  steps.sort((a, b) => a.step - b.step);
  const out: CurvePoint[] = [];
  const size = Math.max(1, minWindow, Math.ceil(steps.length / Math.max(1, points)));
  for (let i = 0; i < steps.length; i += size) {
    const w = steps.slice(i, i + size);
    const mean = (k: 'loss' | 'accuracy' | 'eer'): number | undefined => {
      const v = w.map((s) => s[k]).filter(finite);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
    };
    const p: { -readonly [K in keyof CurvePoint]: CurvePoint[K] } = { step: w[w.length - 1]!.step };
    const loss = mean('loss');
    const acc = mean('accuracy');
    const eer = mean('eer');
    if (loss !== undefined) p.trainLoss = loss;
    if (acc !== undefined) p.trainAccuracy = acc;
    if (eer !== undefined) p.trainEer = eer;
    out.push(p);
  }
  return [...out, ...evals].sort((a, b) => a.step - b.step);
}
