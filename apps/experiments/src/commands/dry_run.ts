/**
 * `pnpm run exp all ... --dry-run`: the resolved configuration of a sweep (profile after the protocol, the
 * schedule and every override), the runs it would make and its differences from the authors' runs, printed
 * without training or touching the results directory.
 */
import { join } from 'node:path';
import { describeEvaluation, protocolDifferences } from '../differences.js';
import { PAPER_GRAD_NORMS, PAPER_SPEAKER_SCHEDULES } from '../paper_results.js';
import { configId, mnistConfigs, pmnistConfigs, speakerConfigs } from '../profiles.js';
import type { MnistSettings, Profile } from '../profiles.js';
import type { AllOptions } from './all.js';

const num = (v: number): string => v.toLocaleString('en-US');
const pctList = (fs: readonly number[]): string => fs.map((f) => `${Math.round(100 * f)}%`).join(', ');

function rows(pairs: readonly (readonly [string, string])[]): string[] {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`);
}

const speakerSubset = (subset: string): string =>
  subset === 'first' ? 'the first int(f·N)' : 'a seeded random round(f·N)';

/** What the protocol decides, in one line. */
export function describeProtocol(p: Profile): string {
  const s = p.speaker.settings;
  const order =
    p.mnist.settings.order === 'fixed' ? 'MNIST in one fixed order every epoch' : 'MNIST reshuffled every epoch';
  const subset = `data-efficiency runs on ${speakerSubset(s.subset)} training speakers`;
  return `${p.protocol}: ${order}; ${subset}; evaluation on ${describeEvaluation(s.evalUtterances)}`;
}

function mnistLines(m: MnistSettings): [string, string][] {
  return [
    ['model', `hidden ${m.hidden}, ${m.layers} layer(s)`],
    [
      'optimiser',
      `Adam ${m.lr.toExponential()}${m.lrDecayEvery > 0 ? `, ×0.1 every ${m.lrDecayEvery} epochs` : ', constant'}, ${m.epochs} epoch(s), batch ${m.batch}, no clipping`,
    ],
    [
      'data',
      `${m.trainLimit > 0 ? `${num(m.trainLimit)} training images` : 'all 50,000 training images'}, ${m.testLimit > 0 ? `${num(m.testLimit)}` : 'all 10,000'} validation / test images, ${m.order === 'fixed' ? 'one fixed order' : 'reshuffled every epoch'}`,
    ],
    ['seed', String(m.seed)],
  ];
}

/** The resolved configuration as text (stdout of --dry-run). */
export function describeResolved(o: AllOptions): string {
  const p = o.profile;
  const only = new Set(o.only);
  const out: string[] = [];
  out.push(`pnpm run exp all: dry run (nothing is trained or written)`, '');
  out.push(
    ...rows([
      ['profile', `${p.name}: ${p.description}`],
      ['protocol', describeProtocol(p)],
      ['run directory', join(o.resultsDir, o.run)],
      ['experiments', o.only.join(', ')],
      ['backend', o.backend ?? 'default (wasm)'],
    ]),
    '',
  );
  for (const [name, title, configs, settings] of [
    ['mnist', 'row MNIST', mnistConfigs(p), p.mnist.settings],
    ['pmnist', 'permuted pixel MNIST', pmnistConfigs(p), p.pmnist.settings],
  ] as const) {
    if (only.has(name))
      out.push(
        `${title}: ${configs.length} run(s)`,
        ...rows([...mnistLines(settings), ['runs', configs.map(configId).join(', ')]]),
        '',
      );
  }
  if (only.has('speaker')) {
    const s = p.speaker.settings;
    const c = speakerConfigs(p);
    const schedule =
      s.schedule === 'scaled'
        ? `scaled down by the ${p.name} profile`
        : `${s.schedule}: ${PAPER_SPEAKER_SCHEDULES[s.schedule].description}`;
    out.push(
      `speaker verification: ${c.length} run(s)`,
      ...rows([
        [
          'corpus',
          o.speakerDataDir !== undefined
            ? `${o.speakerDataDir} (${o.speakerData})`
            : `synthetic, '${s.corpus}' size (--speaker-data-dir for LibriSpeech)`,
        ],
        ['model', `hidden ${s.hidden}, embedding ${s.embedding}, ${s.layers} layer(s)`],
        ['batch', `${s.speakersPerBatch} speakers × ${s.utterancesPerSpeaker} utterances, 160-frame crops`],
        ['learning rate', `Adam ${s.lr.toExponential()}, constant`],
        ['steps', num(s.steps)],
        ['schedule', schedule],
        ['gradient clip', `global norm ${s.clip}`],
        ['validation', `every ${s.evalEvery} steps (best validation EER kept)`],
        ['evaluation', describeEvaluation(s.evalUtterances)],
        [
          'data efficiency',
          `${pctList(p.speaker.dataEfficiency.fractions)} of the training speakers: ${speakerSubset(s.subset)}`,
        ],
        ['gradient norms', `first ${num(PAPER_GRAD_NORMS.steps)} steps kept, histogram after clipping`],
        ['seed', String(s.seed)],
        ['runs', c.map(configId).join(', ')],
      ]),
      '',
    );
  }
  const diffs = protocolDifferences(p, { speakerData: o.speakerData }).filter(
    (d) => only.has(d.experiment) || (d.experiment === 'mnist' && only.has('pmnist')),
  );
  out.push(`differences from the authors' runs (${diffs.length}):`);
  for (const d of diffs) out.push(`  - ${d.experiment}: ${d.what}: ours ${d.ours}; authors ${d.authors}`);
  return out.join('\n');
}
