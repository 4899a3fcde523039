/**
 * What the MNIST and speaker runs share: the model options turned into a cells ModelConfig, option
 * validation, run names and directories.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ModelConfig, TaskKind } from '@ttrnn/cells';
import type { EpochRecord } from '@ttrnn/training/node';
import { modelName, validateModel } from '../profiles.js';
import type { ModelSpec } from '../profiles.js';
import { repoRoot } from '../sweep.js';

/** The model part of a run's options: the sweep's model description plus its sizes. */
export interface ModelOptions extends ModelSpec {
  readonly hidden: number;
  readonly layers: number;
}

/** The cells ModelConfig of the model options. */
export function modelConfigOf(o: ModelOptions, task: TaskKind, inputSize: number, outputSize: number): ModelConfig {
  return { task, cell: o.cell, tt: o.tt, inputSize, hiddenSize: o.hidden, layers: o.layers, outputSize };
}

/** Throws on keys of `options` that `defaults` does not know (beyond `runtime` keys). */
export function rejectUnknown(options: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`unknown option '${key}' passed to '${fn}' (known: ${known.join(', ')})`);
  }
}

export function checkInt(value: unknown, name: string, fn: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new Error(`'${name}' passed to '${fn}' must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
}

/**
 * Upper bounds of the size options. Beyond them the weights or activations no longer fit the wasm heap
 * (4 GiB) long before a run is useful: an LSTM of hidden 4096 already holds 4·4096·4096 floats per
 * recurrent matrix, ×3 with Adam's moments.
 */
export const SIZE_BOUNDS = { hidden: 4096, layers: 16, cores: 8, rank: 1024 } as const;
/** Seeds: the random streams use their low 32 bits, so a larger seed would silently repeat a smaller one. */
export const SEED_BOUND = 2 ** 32 - 1;

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

/** Checks the model options with the cells package's checks (errors name `fn` and the field). */
export function checkModelOptions(o: ModelOptions, fn: string): void {
  checkInt(o.hidden, 'hidden', fn, 1, SIZE_BOUNDS.hidden);
  checkInt(o.layers, 'layers', fn, 1, SIZE_BOUNDS.layers);
  validateModel(o, fn);
  if (o.tt !== null) {
    checkInt(o.tt.cores, 'cores', fn, 1, SIZE_BOUNDS.cores);
    checkInt(o.tt.rank, 'rank', fn, 1, SIZE_BOUNDS.rank);
  }
}

/** A readable, collision-free run name: experiment, model, and a hash of the whole configuration. */
export function runName(experiment: string, o: ModelOptions, config: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 10);
  const tt = o.tt
    ? `-c${o.tt.cores}-r${o.tt.rank}${o.tt.extraCore !== 'none' ? `-x${o.tt.extraCore}` : ''}${o.tt.naive ? '-naive' : ''}`
    : '';
  return `${experiment}-${modelName(o)}${tt}-h${o.hidden}-${hash}`;
}

/** `results/runs/<name>` at the repository root (gitignored). */
export function defaultRunDir(name: string): string {
  return join(repoRoot(), 'results', 'runs', name);
}

/**
 * The model fields of config.json in the flat form of the command line (`model: 'tt-lstm', cores, rank, …`),
 * without TT fields for dense models: the form run directories and run names were first written in.
 */
export function modelFields(o: ModelOptions): Record<string, unknown> {
  const { hidden, layers } = o;
  return o.tt
    ? {
        model: modelName(o),
        cores: o.tt.cores,
        rank: o.tt.rank,
        extraCore: o.tt.extraCore,
        naive: o.tt.naive,
        hidden,
        layers,
      }
    : { model: modelName(o), hidden, layers };
}

/**
 * What is wrong with a stored result.json of `experiment` (null when usable): the fields the summary
 * and the report read must be there, so a damaged file is an error naming it, not a TypeError later.
 */
export function storedResultProblem(result: unknown, experiment: string, numberKeys: readonly string[]): string | null {
  const r = result as Record<string, unknown>;
  if (r['experiment'] !== experiment)
    return `expected "experiment": "${experiment}", got ${JSON.stringify(r['experiment'])}`;
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
