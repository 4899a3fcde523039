import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs, usage } from './args.js';

const specs = {
  model: { kind: 'string', description: 'model', choices: ['lstm', 'gru'], default: 'lstm' },
  rank: { kind: 'int', description: 'rank' },
  lr: { kind: 'number', description: 'learning rate' },
  json: { kind: 'flag', description: 'json' },
} as const;

describe('parseArgs', () => {
  it('parses values, flags and defaults', () => {
    const { options, positionals } = parseArgs(['--rank', '4', '--lr=0.01', '--json', 'x'], specs, 'mnist');
    expect(options).toEqual({ model: 'lstm', rank: 4, lr: 0.01, json: true });
    expect(positionals).toEqual(['x']);
  });
  it('rejects unknown options, bad values and missing values with the option named', () => {
    expect(() => parseArgs(['--rnak', '2'], specs, 'mnist')).toThrow(new UsageError("unknown option --rnak for 'mnist'"));
    expect(() => parseArgs(['--rank', '2.5'], specs, 'mnist')).toThrow(/--rank of 'mnist' must be an integer, got '2.5'/);
    expect(() => parseArgs(['--model', 'rnn'], specs, 'mnist')).toThrow(/must be one of lstm, gru, got 'rnn'/);
    expect(() => parseArgs(['--rank'], specs, 'mnist')).toThrow(/--rank of 'mnist' needs a value/);
    expect(() => parseArgs(['--lr', 'fast'], specs, 'mnist')).toThrow(/must be a number/);
  });
  it('prints a usage listing every option', () => {
    const u = usage('mnist', 'Train on MNIST', specs);
    for (const name of Object.keys(specs)) expect(u).toContain(`--${name}`);
  });
});
