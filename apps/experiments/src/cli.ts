/**
 * `pnpm run exp [command] [options]`: reproduces the paper's experiments.
 * With no command it runs the quick profile of every experiment (`all`).
 */
import { UsageError, usage, withOptionNames } from './args.js';
import { COMMANDS } from './commands/index.js';

function listCommands(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: pnpm run exp [command] [options]    (no command: the quick profile of every experiment)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `pnpm run exp <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const first = args[0];
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(listCommands());
    return 0;
  }
  const named = first !== undefined && !first.startsWith('-');
  const name = named ? first : 'all';
  const rest = named ? args.slice(1) : args;
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    console.error(`error: unknown command '${name}'\n\n${listCommands()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(usage(command.name, command.summary, command.options));
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${usage(command.name, command.summary, command.options)}`);
      return 2;
    }
    console.error(`error: ${withOptionNames((err as Error).message, command.options)}`);
    if (process.env['TTRNN_DEBUG']) console.error((err as Error).stack);
    return 1;
  }
}

// A closed pipe (`pnpm run exp --help | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
