import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../args.js';
import { mnistCommand } from './mnist.js';
import { paramsCommand } from './params.js';

async function runJson(argv: string[]): Promise<Record<string, unknown>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  expect(await paramsCommand.run([...argv, '--json'])).toBe(0);
  expect(log).toHaveBeenCalledTimes(1);
  const out = JSON.parse(log.mock.calls[0]![0] as string) as Record<string, unknown>;
  log.mockRestore();
  return out;
}

describe('exp params', () => {
  afterEach(() => vi.restoreAllMocks());

  it('counts the README table entries and the dense baselines', async () => {
    expect(await runJson(['--model', 'lstm'])).toMatchObject({ params: 294410 });
    expect(await runJson(['--model', 'gru'])).toMatchObject({ params: 222218 });
    expect(await runJson(['--model', 'tt-lstm', '--cores', '2', '--rank', '2'])).toMatchObject({
      params: 5034,
      paramsPaper: 4010,
    });
    expect(await runJson(['--model', 'tt-lstm', '--cores', '2', '--rank', '16', '--extra-core', 'last'])).toMatchObject(
      { params: 103306 },
    );
    expect(await runJson(['--model', 'tt-gru', '--cores', '2', '--rank', '8', '--naive'])).toMatchObject({
      params: 18954,
    });
    expect(await runJson(['--model', 'tt-gru', '--cores', '4', '--rank', '1'])).toMatchObject({ params: 1750 });
  });

  it('gives the TT shapes of every matrix and handles the speaker encoder', async () => {
    // The authors' speaker encoder with 4 cores rank 4.
    const encoder = '--model tt-lstm --task speaker --input 40 --hidden 768 --output 256 --cores 4 --rank 4'.split(' ');
    const out = await runJson([...encoder, '--layers', '3']);
    const matrices = out['matrices'] as { name: string; tt: { inModes: number[] } }[];
    expect(matrices).toHaveLength(7);
    // One layer, the authors' logged count for 4 cores rank 4 (notebook convention: no input-TT bias, no GE2E scalars).
    expect(await runJson(encoder)).toMatchObject({ params: 9586, paramsPaper: 6512 });
    expect(matrices[0]!.tt.inModes).toEqual([2, 2, 2, 5]);
    expect(matrices[2]!.tt.inModes).toEqual([4, 4, 6, 8]);
    expect(out['extra']).toBe(2);
  });

  it('prints a human table', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await paramsCommand.run(['--model', 'tt-lstm', '--rank', '4', '--cores', '3'])).toBe(0);
    const text = String(log.mock.calls[0]![0]);
    expect(text).toMatch(/params\s+4,922/);
    expect(text).toMatch(/paramsPaper\s+3,898/);
    expect(text).toContain('rnn.cell0.input_weights');
  });

  it('rejects TT options for dense models and bad values', async () => {
    await expect(paramsCommand.run(['--model', 'lstm', '--rank', '2'])).rejects.toThrow(UsageError);
    await expect(paramsCommand.run(['--model', 'tt-lstm', '--rank', '0'])).rejects.toThrow(
      /option --rank of 'params' must be an integer from 1 to 1024, got '0'/,
    );
    await expect(paramsCommand.run(['--model', 'tt-lstm', '--extra-core', 'middle'])).rejects.toThrow(
      /must be one of none, first, last/,
    );
    await expect(paramsCommand.run(['--model', 'tt-lstm', '--naive', '--extra-core', 'first'])).rejects.toThrow(
      /naive/,
    );
  });

  it('warns when the TT model is larger than the dense one it encodes (rank 1000 on 28×16)', async () => {
    const out = await runJson(['--model', 'tt-lstm', '--rank', '1000', '--input', '28', '--hidden', '16']);
    expect(out['params']).toBe(180138);
    expect(out['warnings']).toEqual([
      expect.stringMatching(
        /the TT model has 180,138 parameters, more than the 3,050 of the dense LSTM it encodes: rank 1000/,
      ),
    ]);
    expect((await runJson(['--model', 'tt-lstm', '--rank', '2']))['warnings']).toEqual([]);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await paramsCommand.run(['--model', 'tt-lstm', '--rank', '1000', '--input', '28', '--hidden', '16']);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/^warning: the TT model has 180,138 parameters/);
  });

  it('refuses what mnist, speaker and all refuse (zero cores, TT flags on a dense model) and accepts what they accept', async () => {
    await expect(paramsCommand.run(['--cores', '0'])).rejects.toThrow(
      /option --cores of 'params' must be an integer from 1 to 8, got '0'/,
    );
    await expect(mnistCommand.run(['--model', 'tt-lstm', '--cores', '0'])).rejects.toThrow(
      /option --cores of 'mnist' must be an integer from 1 to 8, got '0'/,
    );
    // One core is a TT model in the cells package, for every command alike.
    expect((await runJson(['--model', 'tt-lstm', '--cores', '1']))['params']).toBeGreaterThan(0);
    await expect(
      paramsCommand.run(['--model', 'lstm', '--cores', '99', '--rank', '0', '--naive', '--extra-core', 'first']),
    ).rejects.toThrow(
      /options --cores, --rank, --naive, --extra-core of 'params' apply only with --model tt-lstm or tt-gru, not with --model lstm/,
    );
  });
});
