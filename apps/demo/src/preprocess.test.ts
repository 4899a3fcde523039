import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IDX_IMAGES_MAGIC, MNIST_FILE_NAMES, mnistDataPackageDir, readIdxFile } from '@ttrnn/datasets/node';
import { boundingBox, grayFromRgba, normalize, resampleArea, toMnist } from './preprocess.js';
import type { Gray } from './preprocess.js';

function gray(width: number, height: number, ink: (x: number, y: number) => number): Gray {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = ink(x, y);
  return { width, height, data };
}

/** An MNIST image drawn 10× larger, as on the demo's 280-pixel canvas. */
function upscale(pixels: Uint8Array, k: number): Gray {
  return gray(28 * k, 28 * k, (x, y) => pixels[Math.floor(y / k) * 28 + Math.floor(x / k)]! / 255);
}

describe('preprocess', () => {
  it('reads the red channel of RGBA as ink and checks the size', () => {
    const g = grayFromRgba(new Uint8Array([255, 0, 0, 255, 51, 51, 51, 255]), 2, 1);
    expect(Array.from(g.data)).toEqual([1, 0.2].map(Math.fround));
    expect(() => grayFromRgba(new Uint8Array(7), 2, 1)).toThrow(
      "'rgba' passed to 'grayFromRgba' must hold 2×1×4 bytes, got 7",
    );
  });

  it('finds the bounding box, or null on an empty pad', () => {
    expect(boundingBox(gray(10, 8, (x, y) => (x >= 3 && x < 6 && y === 2 ? 1 : 0)))).toEqual({
      x0: 3,
      y0: 2,
      x1: 6,
      y1: 3,
    });
    expect(boundingBox(gray(10, 8, () => 0))).toBeNull();
    expect(toMnist(gray(10, 8, () => 0))).toBeNull();
  });

  it('area resampling keeps the mean and averages blocks exactly', () => {
    const img = gray(4, 4, (x, y) => (x < 2 && y < 2 ? 1 : 0));
    expect(Array.from(resampleArea(img, 0, 0, 4, 4, 2, 2))).toEqual([1, 0, 0, 0]);
    // A 3-pixel row into 2 pixels: each output covers 1.5 source pixels.
    const row = gray(3, 1, (x) => [1, 0, 1][x]!);
    expect(Array.from(resampleArea(row, 0, 0, 3, 1, 2, 1))).toEqual([2 / 3, 2 / 3].map(Math.fround));
  });

  // A symmetric 20×20 shape has its centre of mass at pixel index 9.5; moved to 14 (rounded half up) it
  // starts at index 5.
  it('a square drawn anywhere becomes a centred 20×20 square', () => {
    const img = toMnist(gray(280, 280, (x, y) => (x >= 10 && x < 110 && y >= 150 && y < 250 ? 1 : 0)))!;
    const box = boundingBox({ width: 28, height: 28, data: img })!;
    expect(box).toEqual({ x0: 5, y0: 5, x1: 25, y1: 25 });
    expect(img.reduce((s, v) => s + v, 0)).toBeCloseTo(400, 3);
  });

  it('a tall stroke keeps its aspect ratio: 20 rows high', () => {
    const img = toMnist(gray(280, 280, (x, y) => (x >= 100 && x < 120 && y >= 40 && y < 240 ? 1 : 0)))!;
    const box = boundingBox({ width: 28, height: 28, data: img })!;
    expect([box.y0, box.y1, box.x1 - box.x0]).toEqual([5, 25, 2]);
  });

  it('MNIST test digits drawn 10× larger come back as the originals', async () => {
    const images = await readIdxFile(join(mnistDataPackageDir(), MNIST_FILE_NAMES.testImages), IDX_IMAGES_MAGIC);
    for (let i = 0; i < 50; i++) {
      const original = images.data.slice(i * 784, (i + 1) * 784);
      const back = toMnist(upscale(original, 10))!;
      let err = 0;
      for (let k = 0; k < 784; k++) err += Math.abs(back[k]! - original[k]! / 255);
      // Same bounding box, scale and centre of mass: only float rounding differs (a one-pixel shift
      // would give a mean error of 0.05–0.1).
      expect(err / 784, `test image ${i}`).toBeLessThan(1e-3);
    }
  });

  it('normalises like training: (v − 0.1307) / 0.3081', () => {
    expect(Array.from(normalize(new Float32Array([0, 1])))).toEqual(
      [(0 - 0.1307) / 0.3081, (1 - 0.1307) / 0.3081].map(Math.fround),
    );
  });
});
