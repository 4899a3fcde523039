import { describe, expect, it } from 'vitest';
import { PowerSpectrum } from './fft.js';
import { hzToMelSlaney, melFilterbank, melSpectrogram, melToHzSlaney } from './mel.js';
import { expectClose, loadReference } from './test_util.js';

const ref = loadReference();

describe('PowerSpectrum', () => {
  for (const n of [400, 256, 12, 7, 1]) {
    it(`matches a direct DFT for n = ${n}`, () => {
      const x = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) + ((i * 37) % 11) / 10);
      const got = new Float64Array(Math.floor(n / 2) + 1);
      new PowerSpectrum(n).power(x, got);
      const want = got.map((_, k) => {
        let re = 0;
        let im = 0;
        for (let t = 0; t < n; t++) {
          re += (x[t] as number) * Math.cos((2 * Math.PI * k * t) / n);
          im -= (x[t] as number) * Math.sin((2 * Math.PI * k * t) / n);
        }
        return re * re + im * im;
      });
      expectClose(got, want, 1e-9, 1e-8, 'power');
    });
  }

  it('puts a pure tone at its bin (n_fft 400 at 16 kHz: 40 Hz per bin)', () => {
    const n = 400;
    const spec = new PowerSpectrum(n);
    for (const bin of [3, 25, 100, 199]) {
      const f = bin * 40;
      const x = Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * f * i) / 16000));
      const p = new Float64Array(201);
      spec.power(x, p);
      const argmax = p.indexOf(Math.max(...p));
      expect(argmax).toBe(bin);
      expect(p[bin]).toBeCloseTo((n / 2) ** 2, 6); // |N/2|^2 for a unit cosine
    }
  });
});

describe('melFilterbank (Slaney, librosa defaults)', () => {
  it('round-trips the mel scale and matches hand-computed points', () => {
    // Linear below 1 kHz: 1000 Hz = 15 mel; log above: 6400 Hz = 15 + 27 mel.
    expect(hzToMelSlaney(1000)).toBeCloseTo(15, 12);
    expect(hzToMelSlaney(6400)).toBeCloseTo(42, 12);
    expect(hzToMelSlaney(200 / 3)).toBeCloseTo(1, 12);
    for (const f of [0, 123, 999, 1000, 4321, 8000]) expect(melToHzSlaney(hzToMelSlaney(f))).toBeCloseTo(f, 9);
  });

  it('matches the independent numpy table (make_reference.py)', () => {
    const fb = melFilterbank({ sampleRate: 16000, nFft: 400, nMels: 40 });
    expect(fb.length).toBe(40 * 201);
    ref.filterRows.forEach((r, i) => {
      expectClose(fb.subarray(r * 201, (r + 1) * 201), ref.filters[i] as number[], 1e-6, 1e-9, `filter ${r}`);
    });
  });

  it('hand check of filter 0: a triangle peaking at the 2nd mel point, area-normalised', () => {
    const f = ref.melFrequencies; // computed independently in numpy
    const [f0, f1, f2] = [f[0] as number, f[1] as number, f[2] as number];
    const fb = melFilterbank({ sampleRate: 16000, nFft: 400, nMels: 40 });
    // Bin 1 is at 40 Hz, inside the rising edge (f0 = 0 < 40 < f1).
    const expected = ((40 - f0) / (f1 - f0)) * (2 / (f2 - f0));
    expect(fb[1]).toBeCloseTo(expected, 7);
    expect(fb[0]).toBe(0);
  });

  it('rejects bad arguments by name', () => {
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 0, nMels: 40 })).toThrow(/'nFft' passed to 'melFilterbank'/);
  });
});

describe('melSpectrogram (librosa melspectrogram(...).T)', () => {
  it('matches the independent numpy STFT + filterbank on a chirp', () => {
    const n = 2000;
    const sig = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      sig[i] =
        0.5 * Math.sin(2 * Math.PI * ((200 * i) / 16000 + (0.5 * 3000 * (i / 16000) ** 2) / (2000 / 16000))) +
        0.1 * Math.sin((2 * Math.PI * 1234.5 * i) / 16000);
    }
    const m = melSpectrogram(sig);
    expect(m.frames).toBe(ref.melSpectrogram.frames);
    expect(m.frames).toBe(1 + Math.floor(n / 160));
    expect(m.nMels).toBe(40);
    const peak = Math.max(...ref.melSpectrogram.data);
    expectClose(m.data, ref.melSpectrogram.data, 1e-4, 1e-6 * peak, 'mel');
  });

  it('log option is ln(power + eps)', () => {
    const sig = new Float32Array(1000).map((_, i) => Math.sin(i / 3));
    const p = melSpectrogram(sig);
    const l = melSpectrogram(sig, { log: true, logEpsilon: 1e-6 });
    expectClose(
      l.data,
      Array.from(p.data, (v) => Math.log(v + 1e-6)),
      1e-5,
      1e-5,
      'log mel',
    );
  });
});
