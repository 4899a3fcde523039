/**
 * What the MNIST and speaker runs share: the model options turned into a cells ModelConfig, option
 * validation, run names and directories.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ModelConfig, TaskKind } from '@ttrnn/cells';
import { modelName, validateModel } from '../profiles.js';
import type { ModelSpec } from '../profiles.js';
import { repoRoot } from '../sweep.js';
import { SIZE_BOUNDS, checkInt } from '../args.js';

/** The model part of a run's options: the sweep's model description plus its sizes. */
export interface ModelOptions extends ModelSpec {
  readonly hidden: number;
  readonly layers: number;
}

/** The cells ModelConfig of the model options. */
export function modelConfigOf(o: ModelOptions, task: TaskKind, inputSize: number, outputSize: number): ModelConfig {
  return { task, cell: o.cell, tt: o.tt, inputSize, hiddenSize: o.hidden, layers: o.layers, outputSize };
}

/** `options` over `defaults` (undefined fields left out); a key that neither they nor `optional` name is an error naming `fn`. */
export function withDefaults<O extends object>(
  options: Partial<O>,
  defaults: O,
  optional: readonly string[],
  fn: string,
): O {
  const known = [...Object.keys(defaults), ...optional];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`unknown option '${key}' passed to '${fn}' (known: ${known.join(', ')})`);
  }
  return { ...defaults, ...defined(options as Record<string, unknown>) } as O;
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

/** Drops undefined fields (JSON-able and exactOptionalPropertyTypes-friendly). */
export function defined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
