import { describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { mnistCommand } from './mnist.js';
import { speakerCommand } from './speaker.js';

describe('mnist and speaker commands', () => {
  it('reject unknown flags and impossible values as usage errors, before any work', async () => {
    await expect(mnistCommand.run(['--bach', '3'])).rejects.toThrow(new UsageError("unknown option --bach for 'mnist'"));
    await expect(mnistCommand.run(['--batch', '0'])).rejects.toThrow(/'batch' passed to 'runMnist' must be an integer ≥ 1, got 0/);
    await expect(mnistCommand.run(['--lr', '-0.1'])).rejects.toThrow(UsageError);
    await expect(mnistCommand.run(['--model', 'rnn'])).rejects.toThrow(/must be one of lstm, gru, tt-lstm, tt-gru/);
    await expect(speakerCommand.run(['--steps', '7', '--eval-every', '2'])).rejects.toThrow(/multiple of 'evalEvery'/);
    await expect(speakerCommand.run(['--corpus', 'librispeech'])).rejects.toThrow(/'dataDir' passed to 'runSpeaker' is required/);
    await expect(mnistCommand.run(['--checkpoint', '-1'])).rejects.toThrow(/'checkpoint' passed to 'runMnist' must be an integer ≥ 0/);
    await expect(speakerCommand.run(['--checkpoint', '-1'])).rejects.toThrow(/'checkpoint' passed to 'runSpeaker' must be an integer ≥ 0/);
    await expect(mnistCommand.run(['--threads', '0'])).rejects.toThrow(new UsageError('option --threads must be a positive integer, got 0'));
  });
  it('declare the paper defaults', () => {
    expect(mnistCommand.options['hidden']?.default).toBe(256);
    expect(mnistCommand.options['epochs']?.default).toBe(20);
    expect(mnistCommand.options['batch']?.default).toBe(128);
    expect(mnistCommand.options['lr']?.default).toBe(0.01);
    expect(speakerCommand.options['hidden']?.default).toBe(768);
    expect(speakerCommand.options['embedding']?.default).toBe(256);
    expect(speakerCommand.options['speakers']?.default).toBe(16);
    expect(speakerCommand.options['utterances']?.default).toBe(32);
    expect(speakerCommand.options['clip']?.default).toBe(3);
    // Gradient checkpointing: mnist picks it by view, speaker is off unless asked.
    expect(mnistCommand.options['checkpoint']?.kind).toBe('int');
    expect(speakerCommand.options['checkpoint']?.kind).toBe('int');
  });
});
