import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../args.js';
import { QUICK_PROFILE, configId, mnistConfigs, pmnistConfigs, speakerConfigs, stabilityConfigs } from '../profiles.js';
import type { MnistConfig, PmnistConfig, SpeakerConfig } from '../profiles.js';
import type { MnistOutcome, ResultsFile, SpeakerOutcome } from '../report/results.js';
import { allCommand, applyOverrides, resolveAllOptions, runAll } from './all.js';
import type { AllDependencies, AllOptions, TrainContext } from './all.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ttrnn-all-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeMnist(c: MnistConfig | PmnistConfig): MnistOutcome {
  const params = c.tt === null ? 80_000 : 1000 * c.tt.cores + 300 * c.tt.rank;
  return {
    params,
    paramsPaper: params - (c.tt === null ? 0 : 512),
    validationAccuracy: 0.9,
    testAccuracy: c.tt === null ? 0.95 : 0.9 + c.tt.rank / 100,
    curve: [{ step: 10, epoch: 1, trainAccuracy: 0.8, validationAccuracy: 0.85 }],
    gradNorms: [0.5, 0.6],
    trainSeconds: 1,
  };
}

function fakeSpeaker(c: SpeakerConfig): SpeakerOutcome {
  return {
    params: c.tt === null ? 200_000 : 5000,
    paramsPaper: 4000,
    validationEer: 0.2,
    testEer: 0.25 - c.trainFraction / 10,
    curve: [{ step: 5, trainLoss: 2, validationLoss: 2.5 }],
    gradNorms: [1],
    trainSeconds: 2,
  };
}

interface Calls {
  timing?: number;
  mnist: string[];
  speaker: string[];
  stability: string[];
  resultsAfterEach: number[];
}

/** Dependencies that record what they were asked to train (`calls`) and return made-up outcomes. */
function fakeDeps(
  overrides: Partial<AllDependencies> = {},
  resultsPath?: () => string,
): AllDependencies & { calls: Calls } {
  let t = 0;
  const calls: Calls = { mnist: [], speaker: [], stability: [], resultsAfterEach: [] };
  return {
    calls,
    async train({ config: c }) {
      calls[c.experiment === 'pmnist' ? 'mnist' : c.experiment].push(configId(c));
      if (c.experiment === 'speaker') return fakeSpeaker(c);
      if (c.experiment === 'stability') {
        // Diverges at the largest learning rate, so the report shows a count.
        const acc = c.lr >= 0.1 ? 0.1 : 0.5 + c.seed / 100;
        return {
          params: 1000,
          paramsPaper: 900,
          epochAccuracies: [acc],
          finalAccuracy: acc,
          bestAccuracy: acc,
          finalTrainLoss: 1,
          maxTrainLoss: 2.4,
          diverged: c.lr >= 0.1 ? 'nan' : null,
          steps: 10,
          trainSeconds: 1,
        };
      }
      if (resultsPath) {
        // results.json already lists every configuration finished before this one.
        const r = JSON.parse(await readFile(resultsPath(), 'utf8')) as ResultsFile;
        calls.resultsAfterEach.push(r.mnist.filter((m) => m.status === 'done').length);
      }
      return fakeMnist(c);
    },
    async paramsTables() {
      return { params: null, paramsNote: 'counter not wired in this test' };
    },
    async timing() {
      calls.timing = (calls.timing ?? 0) + 1;
      return { rows: [{ model: 'LSTM', params: 1, inferenceMs: 1, trainStepMs: 2 }] };
    },
    async initBackend() {
      return { backend: 'fake', tfjsVersion: '0.0.0' };
    },
    async checkMnistData() {},
    now: () => (t += 0.01),
    date: () => '2026-01-01T00:00:00.000Z',
    log: () => {},
    ...overrides,
  };
}

async function options(argv: string[]): Promise<AllOptions> {
  return { ...(await resolveAllOptions([...argv, '--results-dir', dir])), workers: 1 };
}

describe('runAll', () => {
  it('runs every configuration of the profile, writes results.json after each, and the report with its images', async () => {
    const { calls, ...deps } = fakeDeps({}, () => join(dir, 'quick', 'results.json'));
    const out = await runAll(await options([]), deps);
    expect(out.code).toBe(0);
    expect(calls.mnist).toEqual([...mnistConfigs(QUICK_PROFILE), ...pmnistConfigs(QUICK_PROFILE)].map(configId));
    expect(calls.speaker).toEqual(speakerConfigs(QUICK_PROFILE).map(configId));
    // Row MNIST: 0, 1, … finished before each; permuted runs come after every row run.
    const rows = mnistConfigs(QUICK_PROFILE).length;
    expect(calls.resultsAfterEach).toEqual(calls.mnist.map((_, i) => Math.min(i, rows)));
    const results = JSON.parse(await readFile(join(dir, 'quick', 'results.json'), 'utf8')) as ResultsFile;
    expect(results.environment).toMatchObject({
      backend: 'fake',
      profile: 'quick',
      run: 'quick',
      date: '2026-01-01T00:00:00.000Z',
    });
    expect(results.mnist.every((r) => r.status === 'done')).toBe(true);
    expect(results.pmnist?.map((r) => [r.id, r.status, r.config.experiment])).toEqual(
      pmnistConfigs(QUICK_PROFILE).map((c) => [configId(c), 'done', 'pmnist']),
    );
    expect(results.timing).toHaveLength(1);
    expect(calls.stability).toEqual(stabilityConfigs(QUICK_PROFILE).map(configId));
    expect(results.stability?.filter((r) => r.status === 'done')).toHaveLength(stabilityConfigs(QUICK_PROFILE).length);
    const report = await readFile(out.reportPath, 'utf8');
    const files = await readdir(join(dir, 'quick'));
    for (const m of report.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) expect(files).toContain(m[1]);
    expect(report).toContain('counter not wired in this test');
  });

  it('runs only the permuted-pixel experiment with --only pmnist, in run directories of its own', async () => {
    const deps = fakeDeps();
    const out = await runAll(await options(['--only', 'pmnist']), deps);
    expect(out.code).toBe(0);
    expect(deps.calls.mnist).toEqual(['pmnist-lstm', 'pmnist-ttlstm-c2-r4']);
    expect(deps.calls.speaker).toEqual([]);
    expect(out.results.mnist).toEqual([]);
    expect((await readdir(join(dir, 'quick', 'runs'))).sort()).toEqual(['pmnist-lstm', 'pmnist-ttlstm-c2-r4']);
    const report = await readFile(out.reportPath, 'utf8');
    expect(report).toContain('## Permuted pixel-by-pixel MNIST');
    // The authors logged no permuted-MNIST numbers: no row-MNIST or speaker difference is listed for this run.
    expect(out.results.differences).toEqual([]);
    expect(out.results.protocol).toEqual({ name: 'authors', speakerSchedule: 'scaled' });
  });

  it('reads the timing table back instead of measuring again', async () => {
    const [first, second] = [fakeDeps(), fakeDeps()];
    await runAll(await options(['--only', 'timing']), first);
    const out = await runAll(await options(['--only', 'timing']), second);
    expect([first.calls.timing, second.calls.timing]).toEqual([1, undefined]);
    expect(out.results.timing).toEqual([{ model: 'LSTM', params: 1, inferenceMs: 1, trainStepMs: 2 }]);
  });

  it('reads finished configurations back on a second invocation and reruns only what failed', async () => {
    const deps = fakeDeps();
    const failing = {
      ...deps,
      train: (ctx: TrainContext) =>
        ctx.id === 'mnist-ttlstm-c3-r2' ? Promise.reject(new Error('killed')) : deps.train(ctx),
    };
    const opts = await options(['--only', 'mnist']);
    expect((await runAll(opts, failing)).code).toBe(1);
    const report = await readFile(join(dir, 'quick', 'REPORT.md'), 'utf8');
    expect(report).toContain('| mnist-ttlstm-c3-r2 | failed | killed |');
    const before = await stat(join(dir, 'quick', 'runs', 'mnist-lstm', 'outcome.json'));
    const second = fakeDeps();
    expect((await runAll(opts, second)).code).toBe(0);
    expect(second.calls.mnist).toEqual(['mnist-ttlstm-c3-r2']);
    const results = JSON.parse(await readFile(join(dir, 'quick', 'results.json'), 'utf8')) as ResultsFile;
    const n = mnistConfigs(QUICK_PROFILE).length;
    expect(results.invocations?.map((i) => [i.ran, i.reused])).toEqual([
      [n, 0],
      [1, n - 1],
    ]);
    expect(await readFile(join(dir, 'quick', 'REPORT.md'), 'utf8')).toMatch(
      new RegExp(`Invocations on this run directory[\\s\\S]*\\| 1 \\| ${n - 1} \\|`),
    );
    const after = await stat(join(dir, 'quick', 'runs', 'mnist-lstm', 'outcome.json'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('with worker processes, fills the speaker feature cache once before the speaker runs start, and not when they are done', async () => {
    const events: string[] = [];
    const deps = fakeDeps({
      pool: () => ({
        async run(_lane, task) {
          events.push(`run ${task.id}`);
          return fakeSpeaker(task.config as SpeakerConfig);
        },
        async close() {},
      }),
      async prepareSpeakerData(configs, dataDir) {
        events.push(`prepare ${configs.map(configId).join(',')} ${String(dataDir)}`);
      },
    });
    const opts = { ...(await options(['--only', 'speaker'])), workers: 2 };
    expect((await runAll(opts, deps)).code).toBe(0);
    const ids = speakerConfigs(QUICK_PROFILE).map(configId);
    expect(ids.length).toBeGreaterThan(1);
    expect(events[0]).toBe(`prepare ${ids.join(',')} undefined`);
    expect(events.slice(1).sort()).toEqual(ids.map((id) => `run ${id}`).sort());
    events.length = 0;
    expect((await runAll(opts, deps)).code).toBe(0);
    expect(events).toEqual([]); // everything finished: read back, nothing extracted
  });

  it('refuses to reuse a run directory with other settings, leaving its results untouched', async () => {
    await runAll(await options(['--only', 'mnist', '--ranks', '1']), fakeDeps());
    const before = await readFile(join(dir, 'quick', 'runs', 'mnist-lstm', 'outcome.json'), 'utf8');
    const again = fakeDeps();
    await expect(runAll(await options(['--only', 'mnist', '--ranks', '1', '--epochs', '5']), again)).rejects.toThrow(
      /different configuration.*--run NAME/,
    );
    expect(again.calls.mnist).toEqual([]);
    expect(await readFile(join(dir, 'quick', 'runs', 'mnist-lstm', 'outcome.json'), 'utf8')).toBe(before);
    // Under another name it runs.
    await runAll(await options(['--only', 'mnist', '--ranks', '1', '--epochs', '5', '--run', 'longer']), again);
    expect(again.calls.mnist.length).toBeGreaterThan(0);
  });

  it('stops on bad data before creating the results directory', async () => {
    const deps = fakeDeps({
      async checkMnistData() {
        throw new Error('MNIST files missing in /nowhere: train-images-idx3-ubyte');
      },
    });
    await expect(runAll(await options([]), deps)).rejects.toThrow(/MNIST files missing/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rewrites only the report with --report-only', async () => {
    const deps = fakeDeps();
    await expect(runAll(await options(['--report-only']), deps)).rejects.toThrow(
      /--report-only: cannot read .*results\.json/,
    );
    await runAll(await options(['--only', 'params']), deps);
    await rm(join(dir, 'quick', 'REPORT.md'));
    await runAll(await options(['--report-only']), deps);
    expect(await readFile(join(dir, 'quick', 'REPORT.md'), 'utf8')).toContain('# A Fully Tensorized');
    expect(deps.calls.mnist).toEqual([]);
  });
});

describe('resolveAllOptions', () => {
  it('defaults to the quick profile, run named after it', async () => {
    const o = await resolveAllOptions([]);
    expect(o.profile.name).toBe('quick');
    expect(o.run).toBe('quick');
    expect(o.only).toEqual(['params', 'mnist', 'pmnist', 'speaker', 'stability', 'timing']);
    expect((await resolveAllOptions(['--only', 'pmnist,mnist'])).only).toEqual(['pmnist', 'mnist']);
    expect((await resolveAllOptions(['--profile', 'paper'])).run).toBe('paper');
  });

  it('applies a grid override and rejects impossible grids with a usage error', async () => {
    const o = await resolveAllOptions(['--cores', '2', '--ranks', '1,3', '--models', 'gru']);
    expect(mnistConfigs(o.profile).map(configId)).toEqual([
      'mnist-lstm',
      'mnist-gru',
      'mnist-ttgru-c2-r1',
      'mnist-ttgru-c2-r3',
    ]);
    await expect(resolveAllOptions(['--ranks', '0'])).rejects.toThrow(UsageError);
    await expect(resolveAllOptions(['--ranks', '0'])).rejects.toThrow(
      /'config.tt.rank' passed to 'the MNIST grid .*' must be a positive integer, got 0/,
    );
    await expect(resolveAllOptions(['--cores', '0'])).rejects.toThrow(
      /'config.tt.cores' passed to 'the MNIST grid .*' must be a positive integer, got 0/,
    );
    await expect(resolveAllOptions(['--ranks', 'two'])).rejects.toThrow(/comma-separated integers, got 'two'/);
    await expect(resolveAllOptions(['--models', 'rnn'])).rejects.toThrow(
      /'config.cell' passed to 'the MNIST grid .*' must be one of 'lstm', 'gru', got 'rnn'/,
    );
    await expect(resolveAllOptions(['--epochs', '0'])).rejects.toThrow(
      /option --epochs of 'all' must be an integer from 1 to/,
    );
    await expect(resolveAllOptions(['--only', 'mnist,bogus'])).rejects.toThrow(/--only of 'all' takes .*got 'bogus'/);
    await expect(resolveAllOptions(['--run', '../x'])).rejects.toThrow(/plain directory name/);
    await expect(resolveAllOptions(['--frobnicate'])).rejects.toThrow(/unknown option --frobnicate for 'all'/);
    await expect(resolveAllOptions(['--speaker-data-dir', join(dir, 'missing')])).rejects.toThrow(/does not exist/);
  });

  it('the command itself rejects bad input with a usage error before touching the results directory', async () => {
    await expect(allCommand.run(['--ranks', '0', '--results-dir', dir])).rejects.toThrow(UsageError);
    await expect(allCommand.run(['--profile', 'huge', '--results-dir', dir])).rejects.toThrow(UsageError);
    await expect(allCommand.run(['extra', '--results-dir', dir])).rejects.toThrow(/no positional arguments/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the profile untouched when nothing is overridden', () => {
    expect(applyOverrides(QUICK_PROFILE, {})).toEqual(QUICK_PROFILE);
  });
});
