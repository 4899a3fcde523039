/** The contract of a subcommand of `pnpm run exp`. */
import { parseArgs } from './args.js';
import type { OptionSpecs, ParsedOptions } from './args.js';

export interface Command {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  readonly options: OptionSpecs;
  /**
   * Runs the command with its argv (after the command name). Resolves to the
   * process exit code. Human-readable progress goes to stderr; with --json the
   * command writes exactly one JSON document to stdout and nothing else.
   */
  run(argv: readonly string[]): Promise<number>;
}

/** A command whose argv is parsed and checked against its option table before `run` sees the options. */
export function defineCommand(c: Omit<Command, 'run'> & { run(options: ParsedOptions): Promise<number> }): Command {
  return { ...c, run: async (argv) => c.run(parseArgs(argv, c.options, c.name)) };
}
