/**
 * Learning-rate schedules. The paper's MNIST runs use PyTorch's `StepLR(step_size=10, gamma=0.1)`,
 * stepped once per epoch: epochs 0–9 at the base rate, 10–19 at a tenth of it.
 */

export interface StepDecay {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Factor applied at each decay. */
  readonly gamma: number;
}

/** The paper's MNIST schedule: ×0.1 every 10 epochs. */
export const PAPER_STEP_DECAY: StepDecay = { stepSize: 10, gamma: 0.1 };

/**
 * The learning rate of (0-based) `epoch`: `baseLr · gamma^floor(epoch / stepSize)`; `decay` null keeps
 * the base rate.
 */
export function stepDecayRate(baseLr: number, epoch: number, decay: StepDecay | null = PAPER_STEP_DECAY): number {
  if (!(Number.isFinite(baseLr) && baseLr > 0)) {
    throw new Error(`'baseLr' passed to 'stepDecayRate' must be a positive number, got ${baseLr}`);
  }
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new Error(`'epoch' passed to 'stepDecayRate' must be a non-negative integer, got ${epoch}`);
  }
  if (decay === null) return baseLr;
  if (!Number.isInteger(decay.stepSize) || decay.stepSize <= 0) {
    throw new Error(`'decay.stepSize' passed to 'stepDecayRate' must be a positive integer, got ${decay.stepSize}`);
  }
  if (!(Number.isFinite(decay.gamma) && decay.gamma > 0)) {
    throw new Error(`'decay.gamma' passed to 'stepDecayRate' must be a positive number, got ${decay.gamma}`);
  }
  return baseLr * Math.pow(decay.gamma, Math.floor(epoch / decay.stepSize));
}
