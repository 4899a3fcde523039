/**
 * `pnpm run exp params`: parameter counts of a model configuration, in the
 * original's convention (`params`) and the authors' notebook convention
 * (`paramsPaper`, without the input-TT bias and a speaker encoder's GE2E scalars), with the TT shape of
 * every matrix.
 */
import { EXTRA_CORES, TASK_KINDS, countParams } from '@ttrnn/cells';
import type { ModelConfig, ParamCount, TaskKind } from '@ttrnn/cells';
import { MODEL_NAMES, TT_ONLY, modelFromFlags } from '../experiments/training_run.js';
import { SIZE_BOUNDS, pick } from '../args.js';
import type { OptionSpecs } from '../args.js';
import { defineCommand } from '../command.js';
import { textTable } from '../report/format.js';

// The same bounds as mnist/speaker/all: a count for a model those refuse would mislead.
const OPTIONS: OptionSpecs = {
  model: { kind: 'string', description: 'cell type', choices: MODEL_NAMES, default: 'tt-lstm' },
  input: { kind: 'int', description: 'input size N (features per step)', default: 28, min: 1, max: SIZE_BOUNDS.hidden },
  hidden: { kind: 'int', description: 'hidden size H', default: 256, min: 1, max: SIZE_BOUNDS.hidden },
  layers: { kind: 'int', description: 'number of recurrent layers', default: 1, min: 1, max: SIZE_BOUNDS.layers },
  output: {
    kind: 'int',
    description: 'classes (classifier) or embedding size (speaker)',
    default: 10,
    min: 1,
    max: SIZE_BOUNDS.hidden,
  },
  cores: {
    kind: 'int',
    description: 'TT cores d (TT models; default 2)',
    min: 1,
    max: SIZE_BOUNDS.cores,
    when: TT_ONLY,
  },
  rank: { kind: 'int', description: 'TT rank r (TT models; default 2)', min: 1, max: SIZE_BOUNDS.rank, when: TT_ONLY },
  'extra-core': {
    kind: 'string',
    description: 'gate core placement (TT models; default none)',
    choices: EXTRA_CORES,
    when: TT_ONLY,
  },
  naive: { kind: 'flag', description: 'one TT matrix per gate (TT models)', when: TT_ONLY },
  task: { kind: 'string', description: 'model head', choices: TASK_KINDS, default: 'classifier' },
  json: { kind: 'flag', description: 'print one JSON object on stdout and nothing else' },
};

/** The model configuration described by the parsed options. */
export function configFromOptions(options: Record<string, unknown>): ModelConfig {
  // parseArgs has checked the ranges and that the TT options come only with a TT model.
  return {
    task: options['task'] as TaskKind,
    ...modelFromFlags(options),
    inputSize: options['input'] as number,
    hiddenSize: options['hidden'] as number,
    layers: options['layers'] as number,
    outputSize: options['output'] as number,
  };
}

const list = (xs: readonly number[]): string => `[${xs.join(', ')}]`;

/**
 * A TT model is meant to be smaller than its dense counterpart; when its rank makes it larger, the count
 * is right but the configuration is surely not what was meant, so say so.
 */
export function ttSizeWarnings(config: ModelConfig, count: ParamCount): string[] {
  if (config.tt === null) return [];
  const dense = countParams({ ...config, tt: null });
  if (count.params <= dense.params) return [];
  const f = (n: number): string => n.toLocaleString('en-US');
  return [
    `the TT model has ${f(count.params)} parameters, more than the ${f(dense.params)} of the dense ${config.cell.toUpperCase()} it encodes: ` +
      `rank ${config.tt.rank} is larger than these matrices need; a lower --rank gives the same or a smaller model`,
  ];
}

export function describeConfig(c: ModelConfig): string {
  const kind = `${c.tt ? 'TT-' : ''}${c.cell.toUpperCase()} ${c.task}`;
  const tt = c.tt
    ? `, ${c.tt.cores} cores, rank ${c.tt.rank}, ${c.tt.naive ? 'naive (one TT per gate)' : `extra core ${c.tt.extraCore}`}`
    : '';
  return `${kind}: input ${c.inputSize}, hidden ${c.hiddenSize}, ${c.layers} layer${c.layers > 1 ? 's' : ''}, output ${c.outputSize}${tt}`;
}

export function formatCount(config: ModelConfig, count: ParamCount): string {
  const rows = count.matrices.map((m) => [
    m.name,
    `${m.rows} × ${m.cols}`,
    m.layout === 'naive-tt' ? `${m.gates} × TT` : m.layout === 'tt' ? 'TT' : 'dense',
    ...(m.tt ? [m.tt.inModes, m.tt.outModes, m.tt.ranks].map(list) : ['-', '-', '-']),
    String(m.weights),
    String(m.bias),
  ]);
  const head = ['matrix', 'size', 'layout', 'in modes', 'out modes', 'ranks', 'weights', 'bias'];
  const out = [describeConfig(config), '', ...textTable(head, rows, 6)];
  if (count.extra > 0) out.push(`(+ ${count.extra} GE2E similarity scale and offset)`);
  out.push(
    '',
    `params       ${count.params.toLocaleString('en-US')}   (as the original counts: every weight and bias)`,
    `paramsPaper  ${count.paramsPaper.toLocaleString('en-US')}   (the authors' notebooks: without the input-TT bias${count.extra > 0 ? ' and the GE2E scalars' : ''})`,
  );
  return out.join('\n');
}

export const paramsCommand = defineCommand({
  name: 'params',
  summary: 'parameter counts (original and paper conventions) and TT shapes of a model configuration',
  options: OPTIONS,
  async run(options) {
    const config = configFromOptions(options);
    const count = countParams(config);
    const warnings = ttSizeWarnings(config, count);
    if (options['json'] === true) {
      console.log(JSON.stringify({ config, ...pick(count, ['params', 'paramsPaper', 'extra', 'matrices']), warnings }));
    } else {
      console.log(formatCount(config, count));
      for (const w of warnings) console.error(`warning: ${w}`);
    }
    return 0;
  },
});
