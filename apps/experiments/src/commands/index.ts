/**
 * The registry of subcommands. Each command lives in its own file; add a new
 * one here (see CONTRIBUTING.md, "Adding an experiment").
 */
import type { Command } from '../command.js';
import { parityCommand } from './parity.js';

export const COMMANDS: Command[] = [
  parityCommand,
];
