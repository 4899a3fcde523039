/**
 * Learning curves from a trainer's metrics.jsonl: the per-step training loss/accuracy averaged over
 * windows (so a curve has a few dozen points, not thousands), plus the validation metrics of every
 * evaluation. Lines that are not JSON objects are skipped; the file is the trainer's, not ours.
 */
import type { CurvePoint } from './results.js';

type Line = Record<string, unknown>;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** metrics.jsonl field → curve field, of step records (window means) and of epoch/evaluation records. */
const STEP_FIELDS = { loss: 'trainLoss', accuracy: 'trainAccuracy', eer: 'trainEer' };
const EVAL_FIELDS = {
  epoch: 'epoch',
  valLoss: 'validationLoss',
  valAccuracy: 'validationAccuracy',
  valEer: 'validationEer',
};

/** The curve fields of `fields` whose values are finite, in the order of `fields`. */
const finiteFields = (fields: Record<string, string>, value: (key: string) => unknown) =>
  Object.fromEntries(
    Object.entries(fields)
      .map(([k, f]) => [f, value(k)])
      .filter(([, v]) => finite(v)),
  );

/**
 * `points` window means of the step records (each window covers ⌈steps/points⌉ steps but at least
 * `minWindow`, placed at its last step), then one point per epoch/evaluation record with its validation metrics (`valLoss`,
 * `valAccuracy`, `valEer`). Sorted by step.
 */
export function curveFromMetrics(jsonl: string, points = 25, minWindow = 5): CurvePoint[] {
  const lines = jsonl.split('\n').flatMap((text): Line[] => {
    try {
      const line: unknown = JSON.parse(text);
      return typeof line === 'object' && line !== null && finite((line as Line)['step']) ? [line as Line] : [];
    } catch {
      return [];
    }
  });
  const step = (l: Line) => l['step'] as number;
  const steps = lines.filter((l) => l['type'] === 'step').sort((a, b) => step(a) - step(b));
  const evals = lines
    .filter((l) => l['type'] !== 'step' && ['valLoss', 'valAccuracy', 'valEer'].some((k) => finite(l[k])))
    .map((l) => ({ step: step(l), ...finiteFields(EVAL_FIELDS, (k) => l[k]) }));
  const size = Math.max(1, minWindow, Math.ceil(steps.length / Math.max(1, points)));
  const windows: CurvePoint[] = [];
  for (let i = 0; i < steps.length; i += size) {
    const w = steps.slice(i, i + size);
    // A field with no finite value in the window has a NaN mean, so the point leaves it out.
    const mean = (k: string) => {
      const v = w.map((l) => l[k]).filter(finite);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    windows.push({ step: step(w.at(-1)!), ...finiteFields(STEP_FIELDS, mean) });
  }
  return [...windows, ...evals].sort((a, b) => a.step - b.step);
}
