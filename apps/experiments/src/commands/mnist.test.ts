import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { COMMANDS } from './index.js';
import { mnistCommand } from './mnist.js';
import { speakerCommand } from './speaker.js';

describe('mnist and speaker commands', () => {
  it('reject unknown flags and impossible values as usage errors, before any work', async () => {
    await expect(mnistCommand.run(['--bach', '3'])).rejects.toThrow(
      new UsageError("unknown option --bach for 'mnist' (did you mean --batch?)"),
    );
    await expect(mnistCommand.run(['--batch', '0'])).rejects.toThrow(
      /option --batch of 'mnist' must be an integer from 1 to 65536, got '0'/,
    );
    await expect(mnistCommand.run(['--lr', '-0.1'])).rejects.toThrow(UsageError);
    await expect(mnistCommand.run(['--model', 'rnn'])).rejects.toThrow(/must be one of lstm, gru, tt-lstm, tt-gru/);
    await expect(speakerCommand.run(['--steps', '7', '--eval-every', '2'])).rejects.toThrow(
      /option --steps \(7\) must be a multiple of --eval-every \(2\)/,
    );
    await expect(speakerCommand.run(['--corpus', 'librispeech'])).rejects.toThrow(/option --data-dir is required/);
    await expect(mnistCommand.run(['--checkpoint=-1'])).rejects.toThrow(
      /option --checkpoint of 'mnist' must be an integer from 0 to/,
    );
    await expect(mnistCommand.run(['--checkpoint', '-1'])).rejects.toThrow(
      /option --checkpoint of 'mnist' needs a value \(for a value that starts with '-', write --checkpoint=VALUE\)/,
    );
    await expect(mnistCommand.run(['--threads', '0'])).rejects.toThrow(
      new UsageError("option --threads of 'mnist' must be an integer from 1 to 256, got '0'"),
    );
  });
  it.each([
    [
      mnistCommand,
      ['--model', 'lstm', '--cores', '99', '--rank', '0', '--naive', '--extra-core', 'first'],
      /options --cores, --rank, --naive, --extra-core of 'mnist' apply only with --model tt-lstm or tt-gru, not with --model lstm/,
    ],
    [mnistCommand, ['--seed='], /option --seed of 'mnist' needs a value, got an empty one/],
    [mnistCommand, ['--train-limit='], /option --train-limit of 'mnist' needs a value, got an empty one/],
    [
      mnistCommand,
      ['--seed', '1e300'],
      /option --seed of 'mnist' must be an integer from 0 to 4294967295, got '1e300'/,
    ],
    [mnistCommand, ['--hidden', '1e9'], /option --hidden of 'mnist' must be an integer from 1 to 4096, got '1e9'/],
    [mnistCommand, ['--validation-size', '0'], /option --validation-size of 'mnist' must be an integer/],
    [
      speakerCommand,
      ['--test-limit', '1'],
      /option --test-limit must be 0 \(all\) or at least 2 \(speaker verification needs two speakers\), got 1/,
    ],
    [
      speakerCommand,
      ['--size', 'tiny', '--corpus', 'dir', '--data-dir', '/x'],
      /option --size of 'speaker' applies only with --corpus synthetic, not with --corpus dir/,
    ],
    [
      speakerCommand,
      ['--data-dir', '/x'],
      /option --data-dir of 'speaker' applies only with --corpus librispeech or dir, not with --corpus synthetic/,
    ],
    [
      speakerCommand,
      ['--train-fraction', '1.5'],
      /option --train-fraction of 'speaker' must be a finite number greater than 0 and at most 1/,
    ],
  ])('refuse hostile input before any work: %#', async (command, argv, expected) => {
    await expect(command.run(argv as string[])).rejects.toThrow(expected);
    await expect(command.run(argv as string[])).rejects.toBeInstanceOf(UsageError);
  });
  it('take every directory and file option as a path (resolved where the user ran the command)', () => {
    const pathLike = COMMANDS.flatMap((c) =>
      Object.entries(c.options)
        .filter(([n]) => /-dir$|^vectors$|^out$/.test(n))
        .map(([n, s]) => [`${c.name} --${n}`, s.kind]),
    );
    expect(pathLike.length).toBeGreaterThanOrEqual(8);
    expect(pathLike.filter(([, kind]) => kind !== 'path')).toEqual([]);
  });
  it('declare the paper defaults', () => {
    const defaults = (c: Command, names: string[]) => names.map((n) => c.options[n]?.default);
    expect(defaults(mnistCommand, ['hidden', 'epochs', 'batch', 'lr'])).toEqual([256, 20, 128, 0.01]);
    const speaker = defaults(speakerCommand, ['hidden', 'embedding', 'speakers', 'utterances', 'clip']);
    expect(speaker).toEqual([768, 256, 16, 32, 3]);
    // Gradient checkpointing: mnist picks it by view, speaker is off unless asked.
    expect(mnistCommand.options['checkpoint']?.kind).toBe('int');
    expect(speakerCommand.options['checkpoint']?.kind).toBe('int');
  });
});
