/**
 * What the MNIST and speaker runs share: the model flags (`--model tt-lstm --cores 2 --rank 4 …`) turned
 * into a cells ModelConfig, option validation, run names and directories.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ModelConfig } from '@ttrnn/cells';
import type { EpochRecord } from '@ttrnn/training';
import { repoRoot } from '../sweep.js';

export const MODEL_NAMES = ['lstm', 'gru', 'tt-lstm', 'tt-gru'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export const EXTRA_CORE_NAMES = ['none', 'first', 'last'] as const;
export type ExtraCoreName = (typeof EXTRA_CORE_NAMES)[number];

/** The model part of a run's options. */
export interface ModelOptions {
  readonly model: ModelName;
  /** TT cores (TT models only). */
  readonly cores: number;
  /** TT rank (TT models only). */
  readonly rank: number;
  readonly extraCore: ExtraCoreName;
  readonly naive: boolean;
  readonly hidden: number;
  readonly layers: number;
}

/**
 * The model fields of run options from a sweep configuration (profiles.ts), where a dense model has
 * `cores` 0; dense models keep the run defaults for the unused TT fields so their run names stay stable.
 */
export function modelOptionsFromSpec(
  spec: { readonly model: 'lstm' | 'gru'; readonly cores: number; readonly rank: number; readonly extraCore?: string; readonly naive?: boolean },
  defaults: { readonly cores: number; readonly rank: number },
): Pick<ModelOptions, 'model' | 'cores' | 'rank' | 'extraCore' | 'naive'> {
  const tt = spec.cores > 0;
  return {
    model: `${tt ? 'tt-' : ''}${spec.model}` as ModelName,
    cores: tt ? spec.cores : defaults.cores,
    rank: tt ? spec.rank : defaults.rank,
    extraCore: (spec.extraCore ?? 'none') as ExtraCoreName,
    naive: spec.naive ?? false,
  };
}

export function isTT(model: ModelName): boolean {
  return model.startsWith('tt-');
}

/** The cells ModelConfig of the model options. */
export function modelConfigOf(o: ModelOptions, task: 'classifier' | 'speaker', inputSize: number, outputSize: number): ModelConfig {
  return {
    task,
    cell: o.model.endsWith('gru') ? 'gru' : 'lstm',
    tt: isTT(o.model) ? { cores: o.cores, rank: o.rank, extraCore: o.extraCore, naive: o.naive } : null,
    inputSize,
    hiddenSize: o.hidden,
    layers: o.layers,
    outputSize,
  };
}

/** Throws on keys of `options` that `defaults` does not know (beyond `runtime` keys). */
export function rejectUnknown(options: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`unknown option '${key}' passed to '${fn}' (known: ${known.join(', ')})`);
  }
}

export function checkInt(value: unknown, name: string, fn: string, min: number): void {
  if (!Number.isInteger(value) || (value as number) < min) {
    throw new Error(`'${name}' passed to '${fn}' must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
}

export function checkPositive(value: unknown, name: string, fn: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`'${name}' passed to '${fn}' must be a positive number, got ${JSON.stringify(value)}`);
  }
}

export function checkChoice(value: unknown, choices: readonly string[], name: string, fn: string): void {
  if (typeof value !== 'string' || !choices.includes(value)) {
    throw new Error(`'${name}' passed to '${fn}' must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

export function checkModelOptions(o: ModelOptions, fn: string): void {
  checkChoice(o.model, MODEL_NAMES, 'model', fn);
  checkChoice(o.extraCore, EXTRA_CORE_NAMES, 'extraCore', fn);
  if (typeof o.naive !== 'boolean') throw new Error(`'naive' passed to '${fn}' must be a boolean, got ${JSON.stringify(o.naive)}`);
  checkInt(o.hidden, 'hidden', fn, 1);
  checkInt(o.layers, 'layers', fn, 1);
  if (isTT(o.model)) {
    checkInt(o.cores, 'cores', fn, 2);
    checkInt(o.rank, 'rank', fn, 1);
  }
}

/** A readable, collision-free run name: experiment, model, and a hash of the whole configuration. */
export function runName(experiment: string, o: ModelOptions, config: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 10);
  const tt = isTT(o.model) ? `-c${o.cores}-r${o.rank}${o.extraCore !== 'none' ? `-x${o.extraCore}` : ''}${o.naive ? '-naive' : ''}` : '';
  return `${experiment}-${o.model}${tt}-h${o.hidden}-${hash}`;
}

/** `results/runs/<name>` at the repository root (gitignored). */
export function defaultRunDir(name: string): string {
  return join(repoRoot(), 'results', 'runs', name);
}

/** The model-related fields shared by both configs written to config.json, without TT fields for dense models. */
export function modelFields(o: ModelOptions): Record<string, unknown> {
  return isTT(o.model)
    ? { model: o.model, cores: o.cores, rank: o.rank, extraCore: o.extraCore, naive: o.naive, hidden: o.hidden, layers: o.layers }
    : { model: o.model, hidden: o.hidden, layers: o.layers };
}

/**
 * What is wrong with a stored result.json of `experiment` (null when usable): the fields the summary
 * and the report read must be there, so a damaged file is an error naming it, not a TypeError later.
 */
export function storedResultProblem(result: unknown, experiment: string, numberKeys: readonly string[]): string | null {
  const r = result as Record<string, unknown>;
  if (r['experiment'] !== experiment) return `expected "experiment": "${experiment}", got ${JSON.stringify(r['experiment'])}`;
  if (r['status'] !== 'finished') return `expected "status": "finished", got ${JSON.stringify(r['status'])}`;
  if (typeof r['name'] !== 'string') return `expected a string "name", got ${JSON.stringify(r['name'])}`;
  // NaN is stored as null (JSON), e.g. a test metric of a run without one.
  const bad = numberKeys.filter((k) => !(typeof r[k] === 'number' || r[k] === null));
  return bad.length > 0 ? `missing or non-numeric ${bad.map((k) => `"${k}"`).join(', ')}` : null;
}

/** A number from an epoch record, or undefined. */
export function num(record: EpochRecord, key: string): number | undefined {
  const v = record[key];
  return typeof v === 'number' ? v : undefined;
}

/** Drops undefined fields (JSON-able and exactOptionalPropertyTypes-friendly). */
export function defined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
