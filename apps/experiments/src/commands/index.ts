/**
 * The registry of subcommands. Each command lives in its own file; add a new
 * one here (see CONTRIBUTING.md, "Adding an experiment").
 */
import type { Command } from '../command.js';
import { allCommand } from './all.js';
import { dataCommand } from './data.js';
import { exportLayersCommand } from './export_layers.js';
import { mnistCommand } from './mnist.js';
import { parityCommand } from './parity.js';
import { paramsCommand } from './params.js';
import { speakerCommand } from './speaker.js';
import { stabilityCommand } from './stability.js';
import { timingCommand } from './timing.js';
import { workerCommand } from './worker.js';

export const COMMANDS: Command[] = [
  allCommand,
  dataCommand,
  exportLayersCommand,
  mnistCommand,
  parityCommand,
  paramsCommand,
  speakerCommand,
  stabilityCommand,
  timingCommand,
  workerCommand,
];
