/**
 * A drawing → the 28×28 input the classifier was trained on, the way MNIST's digits were made:
 * the digit's bounding box is scaled (aspect kept) to fit a 20×20 box, anti-aliased by area
 * averaging, and placed in a 28×28 image so that its centre of mass is at the centre; then each
 * pixel v ∈ [0, 1] is normalised as in training, (v − 0.1307) / 0.3081.
 *
 * Pure functions over typed arrays (no DOM), so they are tested in Node.
 */

export const SIZE = 28;
/** MNIST fits the digit's bounding box into 20×20 … */
export const BOX = 20;
/** … and training normalises with MNIST's mean and standard deviation. */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;

/** A grey image, values in [0, 1] (1 = ink), row-major. */
export interface Gray {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** The ink of RGBA pixels: white strokes on a black canvas, so the red channel / 255. */
export function grayFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Gray {
  if (rgba.length !== width * height * 4)
    throw new Error(`'rgba' passed to 'grayFromRgba' must hold ${width}×${height}×4 bytes, got ${rgba.length}`);
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i]! / 255;
  return { width, height, data };
}

/** The smallest box holding every pixel above `threshold`, or null for an empty image. */
export function boundingBox(img: Gray, threshold = 0.05): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = img.width,
    y0 = img.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * The region [x0, x0 + w) × [y0, y0 + h) of `img` resampled to outW × outH by area averaging
 * (each output pixel is the mean of the source area it covers, fractional pixels weighted).
 */
export function resampleArea(
  img: Gray,
  x0: number,
  y0: number,
  w: number,
  h: number,
  outW: number,
  outH: number,
): Float32Array {
  const out = new Float32Array(outW * outH);
  const sx = w / outW;
  const sy = h / outH;
  for (let oy = 0; oy < outH; oy++) {
    const ya = y0 + oy * sy,
      yb = ya + sy;
    for (let ox = 0; ox < outW; ox++) {
      const xa = x0 + ox * sx,
        xb = xa + sx;
      let sum = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        if (wy <= 0 || y < 0 || y >= img.height) continue;
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          if (wx <= 0 || x < 0 || x >= img.width) continue;
          sum += wx * wy * img.data[y * img.width + x]!;
        }
      }
      out[oy * outW + ox] = sum / (sx * sy);
    }
  }
  return out;
}

/** The 28×28 MNIST-style image in [0, 1] (null when nothing is drawn). */
export function toMnist(img: Gray): Float32Array | null {
  const box = boundingBox(img);
  if (box === null) return null;
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const scale = BOX / Math.max(w, h);
  const outW = Math.max(1, Math.round(w * scale));
  const outH = Math.max(1, Math.round(h * scale));
  const digit = resampleArea(img, box.x0, box.y0, w, h, outW, outH);
  // Centre of mass of the scaled digit (in pixel indices) → pixel (14, 14), as MNIST was made: with this
  // convention the MNIST test digits drawn 10× larger come back unchanged (see the test).
  let mass = 0,
    cx = 0,
    cy = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = digit[y * outW + x]!;
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  const dx = Math.round(SIZE / 2 - cx / mass);
  const dy = Math.round(SIZE / 2 - cy / mass);
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const tx = x + dx,
        ty = y + dy;
      if (tx >= 0 && tx < SIZE && ty >= 0 && ty < SIZE) out[ty * SIZE + tx] = Math.min(1, digit[y * outW + x]!);
    }
  }
  return out;
}

/** Training's normalisation, (v − 0.1307) / 0.3081, in place; returns `img`. */
export function normalize(img: Float32Array): Float32Array {
  for (let i = 0; i < img.length; i++) img[i] = (img[i]! - MNIST_MEAN) / MNIST_STD;
  return img;
}
