/**
 * `pnpm run exp stability [options of all]`: the stability experiment alone, i.e. `all --only stability`, in
 * the same run directory as `all` (so each finished run serves both commands).
 */
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { allCommand } from './all.js';

const { only: _only, ...options } = allCommand.options;

export const stabilityCommand: Command = {
  name: 'stability',
  summary:
    'dense vs TT LSTM/GRU on row MNIST over learning rates × seeds: accuracy spread and diverged runs (= all --only stability)',
  options,
  run(argv) {
    if (argv.some((a) => a === '--only' || a.startsWith('--only=')))
      throw new UsageError("'stability' runs only the stability experiment; use 'all --only ...' for others");
    return allCommand.run([...argv, '--only', 'stability']);
  },
};
