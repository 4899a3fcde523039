/**
 * A small, strict command-line parser: every option must be declared, so a
 * typo is an error with the usage, never silently ignored.
 */
export type OptionKind = 'string' | 'int' | 'number' | 'flag';

export interface OptionSpec {
  readonly kind: OptionKind;
  readonly description: string;
  /** Allowed values for a string option. */
  readonly choices?: readonly string[];
  readonly default?: string | number | boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type ParsedOptions = Record<string, string | number | boolean | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `--name value`, `--name=value` and `--flag`; returns options and positionals. */
export function parseArgs(argv: readonly string[], specs: OptionSpecs, command: string): { options: ParsedOptions; positionals: string[] } {
  const options: ParsedOptions = {};
  const positionals: string[] = [];
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) options[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (spec === undefined) {
      throw new UsageError(`unknown option --${name} for '${command}'`);
    }
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`option --${name} of '${command}' takes no value`);
      options[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) {
      throw new UsageError(`option --${name} of '${command}' needs a value`);
    }
    options[name] = convert(raw, name, spec, command);
  }
  return { options, positionals };
}

function convert(raw: string, name: string, spec: OptionSpec, command: string): string | number {
  if (spec.kind === 'int') {
    const v = Number(raw);
    if (!Number.isInteger(v)) throw new UsageError(`option --${name} of '${command}' must be an integer, got '${raw}'`);
    return v;
  }
  if (spec.kind === 'number') {
    const v = Number(raw);
    if (!Number.isFinite(v)) throw new UsageError(`option --${name} of '${command}' must be a number, got '${raw}'`);
    return v;
  }
  if (spec.choices !== undefined && !spec.choices.includes(raw)) {
    throw new UsageError(`option --${name} of '${command}' must be one of ${spec.choices.join(', ')}, got '${raw}'`);
  }
  return raw;
}

/** The usage text of a command, generated from its specs. */
export function usage(command: string, summary: string, specs: OptionSpecs, positional = ''): string {
  const lines = [`Usage: pnpm run exp ${command}${positional ? ' ' + positional : ''} [options]`, '', summary, '', 'Options:'];
  const width = Math.max(...Object.keys(specs).map((n) => n.length + (specs[n]!.kind === 'flag' ? 2 : 8)), 10);
  for (const [name, spec] of Object.entries(specs)) {
    const left = spec.kind === 'flag' ? `--${name}` : `--${name} ${spec.kind === 'string' ? (spec.choices ? spec.choices.join('|') : 'VALUE') : 'N'}`;
    const def = spec.default !== undefined && spec.kind !== 'flag' ? ` (default ${String(spec.default)})` : '';
    lines.push(`  ${left.padEnd(width + 4)} ${spec.description}${def}`);
  }
  return lines.join('\n');
}
