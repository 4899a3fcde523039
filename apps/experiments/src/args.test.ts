import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OptionSpecs } from './args.js';
import { SEED_MAX, UsageError, parseArgs, usage, withOptionNames } from './args.js';

const specs: OptionSpecs = {
  model: { kind: 'string', description: 'model', choices: ['lstm', 'gru', 'tt-lstm'], default: 'lstm' },
  rank: { kind: 'int', description: 'rank', min: 1, max: 64, when: { option: 'model', values: ['tt-lstm'] } },
  naive: { kind: 'flag', description: 'naive', when: { option: 'model', values: ['tt-lstm'] } },
  hidden: { kind: 'int', description: 'hidden', min: 1, max: 4096, default: 8 },
  seed: { kind: 'int', description: 'seed', max: SEED_MAX },
  'train-limit': { kind: 'int', description: 'limit' },
  lr: { kind: 'number', description: 'learning rate', above: 0, max: 10 },
  shift: { kind: 'number', description: 'any finite number' },
  'run-dir': { kind: 'path', description: 'run directory' },
  json: { kind: 'flag', description: 'json' },
};

describe('parseArgs', () => {
  const initCwd = process.env['INIT_CWD'];
  afterEach(() => {
    if (initCwd === undefined) delete process.env['INIT_CWD'];
    else process.env['INIT_CWD'] = initCwd;
  });

  it('parses values, flags and defaults, ignores a forwarded --, and refuses positional arguments', () => {
    const options = parseArgs(
      ['--', '--model', 'tt-lstm', '--rank', '4', '--lr=0.01', '--json', '--shift=-2.5'],
      specs,
      'mnist',
    );
    expect(options).toEqual({ model: 'tt-lstm', rank: 4, lr: 0.01, json: true, hidden: 8, shift: -2.5 });
    expect(() => parseArgs(['--json', 'x', 'y'], specs, 'mnist')).toThrow(
      "'mnist' takes no positional arguments, got 'x y'",
    );
  });

  it('resolves paths against the directory the user ran pnpm in (INIT_CWD), not the script’s', () => {
    process.env['INIT_CWD'] = '/home/user/work';
    expect(parseArgs(['--run-dir', 'relrun'], specs, 'mnist')['run-dir']).toBe(join('/home/user/work', 'relrun'));
    expect(parseArgs(['--run-dir=/abs/run'], specs, 'mnist')['run-dir']).toBe('/abs/run');
    delete process.env['INIT_CWD'];
    expect(parseArgs(['--run-dir', 'relrun'], specs, 'mnist')['run-dir']).toBe(join(process.cwd(), 'relrun'));
  });

  /** Hostile command lines and the error each must give: the option named, and what was expected. */
  const HOSTILE: [string, string[], RegExp | string][] = [
    ['empty value (= form)', ['--seed='], "option --seed of 'mnist' needs a value, got an empty one"],
    ['empty value of a limit', ['--train-limit='], "option --train-limit of 'mnist' needs a value, got an empty one"],
    ['blank value', ['--seed', ' '], /--seed of 'mnist' needs a value, got an empty one/],
    [
      'empty path',
      ['--run-dir='],
      /--run-dir of 'mnist' needs a value, got an empty one \(for the current directory write \.\)/,
    ],
    [
      'seed beyond 32 bits (1e300)',
      ['--seed', '1e300'],
      `option --seed of 'mnist' must be an integer from 0 to ${SEED_MAX}, got '1e300'`,
    ],
    [
      'seed 2^32 (would repeat seed 0)',
      ['--seed', String(2 ** 32)],
      /--seed of 'mnist' must be an integer from 0 to 4294967295/,
    ],
    [
      'huge hidden size',
      ['--hidden', '1e9'],
      "option --hidden of 'mnist' must be an integer from 1 to 4096, got '1e9'",
    ],
    ['zero hidden size', ['--hidden=0'], /--hidden of 'mnist' must be an integer from 1 to 4096, got '0'/],
    [
      'fractional integer',
      ['--model', 'tt-lstm', '--rank', '2.5'],
      /--rank of 'mnist' must be an integer from 1 to 64, got '2.5'/,
    ],
    ['hex junk', ['--hidden', '0x'], /--hidden of 'mnist' must be an integer/],
    ['NaN', ['--lr', 'NaN'], /--lr of 'mnist' must be a finite number greater than 0 and at most 10, got 'NaN'/],
    ['Infinity', ['--lr', 'Infinity'], /--lr of 'mnist' must be a finite number greater than 0/],
    ['zero learning rate', ['--lr', '0'], /--lr of 'mnist' must be a finite number greater than 0/],
    ['non-finite unbounded number', ['--shift', '1e400'], /--shift of 'mnist' must be a finite number, got '1e400'/],
    ['missing value', ['--hidden'], "option --hidden of 'mnist' needs a value"],
    [
      'a negative value without =',
      ['--shift', '-1'],
      /--shift of 'mnist' needs a value \(for a value that starts with '-', write --shift=VALUE\)/,
    ],
    ['value for a flag', ['--json=yes'], "option --json of 'mnist' takes no value"],
    [
      'unknown option, with a suggestion',
      ['--hiden', '8'],
      "unknown option --hiden for 'mnist' (did you mean --hidden?)",
    ],
    ['unknown option, nothing close', ['--frobnicate'], "unknown option --frobnicate for 'mnist'"],
    ['bad choice', ['--model', 'rnn'], "option --model of 'mnist' must be one of lstm, gru, tt-lstm, got 'rnn'"],
    ['an option twice', ['--hidden', '8', '--hidden', '16'], "option --hidden of 'mnist' is given twice"],
    [
      'TT option on a dense model',
      ['--model', 'lstm', '--rank', '0'],
      "option --rank of 'mnist' applies only with --model tt-lstm, not with --model lstm",
    ],
    [
      'TT options on the default dense model',
      ['--naive', '--rank', '99'],
      "options --naive, --rank of 'mnist' apply only with --model tt-lstm, not with --model lstm",
    ],
  ];
  it.each(HOSTILE)('refuses %s', (_what, argv, expected) => {
    let thrown: unknown;
    try {
      parseArgs(argv, specs, 'mnist');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    if (typeof expected === 'string') expect((thrown as Error).message).toBe(expected);
    else expect((thrown as Error).message).toMatch(expected);
  });

  it('rewords library names as the options the user typed', () => {
    expect(
      withOptionNames("'testLimit' passed to 'runSpeaker' must be 0 or at least 2", { 'test-limit': specs['seed']! }),
    ).toBe('option --test-limit must be 0 or at least 2');
    expect(
      withOptionNames("'steps' passed to 'runSpeaker' (7) must be a multiple of 'evalEvery' (2)", {
        steps: specs['seed']!,
        'eval-every': specs['seed']!,
      }),
    ).toBe('option --steps (7) must be a multiple of --eval-every (2)');
    expect(withOptionNames("'other' passed to 'f' is wrong", {})).toBe("'other' passed to 'f' is wrong");
  });

  it('prints a usage listing every option', () => {
    const u = usage('mnist', 'Train on MNIST', specs);
    for (const name of Object.keys(specs)) expect(u).toContain(`--${name}`);
    expect(u).toContain('--run-dir PATH');
  });
});
