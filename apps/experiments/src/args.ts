/**
 * The command-line options of every `pnpm run exp` command, parsed by Node's own `util.parseArgs` and
 * checked in one place: every option must be declared (a typo is an error with the usage), and a value
 * that is empty, not a finite number, outside the option's range, or given to an option that does not
 * apply (TT flags on a dense model) is an error naming the option and what was expected.
 *
 * Paths (`kind: 'path'`) are resolved against the directory where the user ran the command: pnpm runs
 * the script inside apps/experiments but sets INIT_CWD to the user's directory.
 */
import { resolve } from 'node:path';
import { parseArgs as nodeParseArgs } from 'node:util';

export interface OptionSpec {
  readonly kind: 'string' | 'path' | 'int' | 'number' | 'flag';
  readonly description: string;
  /** Allowed values for a string option. */
  readonly choices?: readonly string[];
  readonly default?: string | number | boolean;
  /** Smallest allowed value (int, number); ints default to 0 unless `min` says otherwise. */
  readonly min?: number;
  /** Largest allowed value (int, number); ints default to 2^31 − 1. */
  readonly max?: number;
  /** The value must be strictly greater than this (number), e.g. 0 for a learning rate. */
  readonly above?: number;
  /** Given explicitly, the option is an error unless option `when.option` has one of `when.values`. */
  readonly when?: { readonly option: string; readonly values: readonly string[] };
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type ParsedOptions = Record<string, string | number | boolean | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Ints without an explicit `max`: beyond it a value is surely a typo (`1e300`), and exact in float64. */
const DEFAULT_INT_MAX = 2 ** 31 - 1;
/** Seeds: the random streams use the low 32 bits, so larger values would silently repeat smaller ones. */
export const SEED_MAX = 2 ** 32 - 1;
/**
 * Upper bounds of the size options. Beyond them the weights or activations no longer fit the wasm heap
 * (4 GiB) long before a run is useful: an LSTM of hidden 4096 already holds 4·4096·4096 floats per
 * recurrent matrix, ×3 with Adam's moments.
 */
export const SIZE_BOUNDS = { hidden: 4096, layers: 16, cores: 8, rank: 1024 } as const;

/** The field an option sets in code: `lrDecayEvery` for `--lr-decay-every`. */
export const optionKey = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Checks options given in code (`runMnist({ batch: 0 })`) against a command's option table, as the parser
 * checks the command line: the field of each option (`lrDecayEvery` for `--lr-decay-every`) where present and
 * not null. Paths and flags are not checked, nor `when`: a run has every option, applicable or not.
 */
export function checkOptions(o: object, specs: OptionSpecs, fn: string): void {
  for (const [flag, spec] of Object.entries(specs)) {
    const key = optionKey(flag);
    const v = (o as Record<string, unknown>)[key];
    if (v === undefined || v === null || spec.kind === 'path' || spec.kind === 'flag') continue;
    const choice = spec.choices === undefined || spec.choices.includes(v as string);
    const problem =
      spec.kind === 'string' ? (choice ? null : `one of ${spec.choices!.join(', ')}`) : numberProblem(v, spec);
    if (problem !== null) throw new Error(`'${key}' passed to '${fn}' must be ${problem}, got ${JSON.stringify(v)}`);
  }
}

/** The fields `keys` of `o`, in that order (config.json keeps the order its fields were first written in). */
export const pick = <T, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> =>
  Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

/** Parses `--name value`, `--name=value` and `--flag` (no command takes positional arguments). */
export function parseArgs(argv: readonly string[], specs: OptionSpecs, command: string): ParsedOptions {
  // pnpm forwards a `--` separator as is; it carries no meaning here.
  const args = argv.filter((a) => a !== '--');
  let tokens, positionals;
  try {
    ({ tokens, positionals } = nodeParseArgs({
      args,
      options: Object.fromEntries(
        Object.entries(specs).map(([name, s]) => [name, { type: s.kind === 'flag' ? 'boolean' : 'string' }] as const),
      ),
      strict: true,
      allowPositionals: true,
      tokens: true,
    }));
  } catch (err) {
    throw usageFromNode(err as NodeJS.ErrnoException, specs, command);
  }
  const options: ParsedOptions = {};
  const raw = new Map<string, string | undefined>();
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) options[name] = spec.default;
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (raw.has(t.name)) throw new UsageError(`option --${t.name} of '${command}' is given twice`);
    raw.set(t.name, t.value);
  }
  const set = (name: string): void => {
    const spec = specs[name] as OptionSpec;
    options[name] = spec.kind === 'flag' ? true : convert(raw.get(name) ?? '', name, spec, command);
  };
  // The options others depend on first (`--model`), then whether every given option applies (all the
  // inapplicable ones in one message), then the values.
  const conditions = new Set(Object.values(specs).flatMap((s) => (s.when !== undefined ? [s.when.option] : [])));
  for (const name of raw.keys()) if (conditions.has(name)) set(name);
  const groups = new Map<string, string[]>();
  for (const name of raw.keys()) {
    const when = (specs[name] as OptionSpec).when;
    if (when === undefined) continue;
    const value = options[when.option];
    if (typeof value === 'string' && when.values.includes(value)) continue;
    const reason = `apply only with --${when.option} ${when.values.join(' or ')}, not ${value === undefined ? `without --${when.option}` : `with --${when.option} ${String(value)}`}`;
    groups.set(reason, [...(groups.get(reason) ?? []), `--${name}`]);
  }
  for (const [reason, names] of groups) {
    throw new UsageError(
      names.length === 1
        ? `option ${names[0]} of '${command}' ${reason.replace(/^apply/, 'applies')}`
        : `options ${names.join(', ')} of '${command}' ${reason}`,
    );
  }
  for (const name of raw.keys()) if (!conditions.has(name)) set(name);
  if (positionals.length > 0)
    throw new UsageError(`'${command}' takes no positional arguments, got '${positionals.join(' ')}'`);
  return options;
}

/** Node's parse errors, reworded to name the command and, for a typo, the closest option. */
function usageFromNode(err: NodeJS.ErrnoException, specs: OptionSpecs, command: string): Error {
  const quoted = /'(-[^' ]*)/.exec(err.message)?.[1] ?? '';
  const name = quoted.replace(/^-+/, '');
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      // The nearest declared option, the first in declaration order of equally near ones (a stable sort).
      const near = Object.keys(specs)
        .map((n) => [n, editDistance(name, n)] as const)
        .filter(([, d]) => d <= 2)
        .sort((x, y) => x[1] - y[1])[0]?.[0];
      return new UsageError(`unknown option ${quoted} for '${command}'${near ? ` (did you mean --${near}?)` : ''}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (specs[name]?.kind === 'flag') return new UsageError(`option --${name} of '${command}' takes no value`);
      if (/ambiguous/.test(err.message)) {
        return new UsageError(
          `option --${name} of '${command}' needs a value (for a value that starts with '-', write --${name}=VALUE)`,
        );
      }
      return new UsageError(`option --${name} of '${command}' needs a value`);
    default:
      return new UsageError(`'${command}': ${err.message}`);
  }
}

/** Levenshtein distance: a misspelt option (`--hiden`) is suggested the declared one within 2 edits. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function convert(raw: string, name: string, spec: OptionSpec, command: string): string | number {
  const opt = `option --${name} of '${command}'`;
  if (raw.trim() === '') {
    throw new UsageError(
      `${opt} needs a value, got an empty one${spec.kind === 'path' ? ' (for the current directory write .)' : ''}`,
    );
  }
  if (spec.kind === 'int' || spec.kind === 'number') {
    const problem = numberProblem(Number(raw), spec);
    if (problem !== null) throw new UsageError(`${opt} must be ${problem}, got '${raw}'`);
    return Number(raw);
  }
  if (spec.choices !== undefined && !spec.choices.includes(raw)) {
    throw new UsageError(`${opt} must be one of ${spec.choices.join(', ')}, got '${raw}'`);
  }
  // pnpm runs the script in apps/experiments; INIT_CWD is where the user ran it.
  return spec.kind === 'path' ? resolve(process.env['INIT_CWD'] || process.cwd(), raw) : raw;
}

/** What a number option must be (`an integer from 1 to 4096`) when `v` is not that, else null. */
function numberProblem(v: unknown, spec: OptionSpec): string | null {
  const int = spec.kind === 'int';
  const min = spec.min ?? (int ? 0 : -Infinity);
  const max = spec.max ?? (int ? DEFAULT_INT_MAX : Infinity);
  const ok = typeof v === 'number' && (int ? Number.isSafeInteger(v) : Number.isFinite(v));
  if (ok && v >= min && v <= max && !(v <= (spec.above ?? -Infinity))) return null;
  const bounds =
    spec.above === undefined && Number.isFinite(min) && Number.isFinite(max)
      ? [`from ${min} to ${max}`]
      : [
          spec.above !== undefined ? `greater than ${spec.above}` : Number.isFinite(min) ? `at least ${min}` : '',
          Number.isFinite(max) ? `at most ${max}` : '',
        ].filter((b) => b !== '');
  return `${int ? 'an integer' : 'a finite number'}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}`;
}

/**
 * A library error reworded for the command line: `'testLimit' passed to 'runSpeaker'` becomes
 * `option --test-limit`, and `'evalEvery' (3)` becomes `--eval-every (3)`, where the command has that option.
 */
export function withOptionNames(message: string, specs: OptionSpecs): string {
  const flag = (name: string): string | null => {
    const f = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return specs[f] !== undefined ? f : null;
  };
  return message
    .replace(/'([a-zA-Z]+)' passed to '\w+'/g, (whole, name: string) =>
      flag(name) !== null ? `option --${flag(name)}` : whole,
    )
    .replace(/'([a-zA-Z]+)' \(/g, (whole, name: string) => (flag(name) !== null ? `--${flag(name)} (` : whole));
}

/** The usage text of a command, generated from its specs. */
export function usage(command: string, summary: string, specs: OptionSpecs): string {
  const lines = [`Usage: pnpm run exp ${command} [options]`, '', summary, '', 'Options:'];
  const placeholders = { flag: '', path: ' PATH', int: ' N', number: ' N' };
  const lefts = Object.entries(specs).map(
    ([name, s]) => `--${name}${s.kind === 'string' ? ` ${s.choices?.join('|') ?? 'VALUE'}` : placeholders[s.kind]}`,
  );
  const width = Math.min(Math.max(...lefts.map((l) => l.length), 10), 34);
  Object.values(specs).forEach((spec, i) => {
    const def = spec.default !== undefined && spec.kind !== 'flag' ? ` (default ${String(spec.default)})` : '';
    const left = lefts[i] as string;
    const pad = left.length > width ? `\n  ${''.padEnd(width + 4)}` : ''.padEnd(width - left.length + 4);
    lines.push(`  ${left}${pad} ${spec.description}${def}`);
  });
  return lines.join('\n');
}
