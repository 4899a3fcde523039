/**
 * `pnpm run exp speaker [options]`: one speaker-verification training run (GE2E) with the paper's
 * defaults (see experiments/speaker_run.ts).
 */
import { percent, trainingCommand } from '../experiments/cli_common.js';
import { SPEAKER_OPTIONS, resolveSpeakerOptions, runSpeaker } from '../experiments/speaker_run.js';
import type { SpeakerRunOptions, SpeakerRunResult } from '../experiments/speaker_run.js';

export const speakerCommand = trainingCommand<SpeakerRunOptions, SpeakerRunResult>({
  name: 'speaker',
  summary:
    "train and test one speaker-verification encoder with GE2E (the authors' defaults: hidden 768, 16×32, clip 3, Adam 2e-3, 40k steps)",
  options: SPEAKER_OPTIONS,
  resolve: resolveSpeakerOptions,
  run: runSpeaker,
  describe: (r) => [
    `  corpus            ${r.corpus}: ${r.trainSpeakers ?? '?'} training, ${r.validationSpeakers} validation, ${r.testSpeakers} test speakers (${r.testUtterances ?? '?'} test utterances evaluated)`,
    `  parameters        ${r.params} (paper convention ${r.paramsPaper})`,
    `  validation EER    ${percent(r.validationEer)} (best step ${r.bestStep ?? 'n/a'})`,
    `  test EER          ${percent(r.testEer)}`,
  ],
  after: (r) => {
    const skipped = r.skippedFiles ?? [];
    if (skipped.length === 0) return [];
    return [
      `  skipped           ${skipped.length} input file(s) or speaker(s) that could not be read:`,
      ...skipped.slice(0, 20).map((f) => `    ${f.file}: ${f.reason}`),
      ...(skipped.length > 20 ? [`    … and ${skipped.length - 20} more (see --json)`] : []),
    ];
  },
});
