/**
 * Debian's Chromium for the browser tests (driven by playwright-core, which downloads no browser): where it
 * is, whether it is there, what to install when it is not, and the flags of a quiet, offline, throw-away
 * headless instance. No tfjs here, so a browser test imports it without the backend set-up.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM_MESSAGE = `no Chromium at ${CHROMIUM}; install the Debian package 'chromium' (apt-get install -y chromium) or set CHROMIUM_PATH`;

/** The flags of a quiet, offline, throw-away headless Chromium. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Instead of `--disable-gpu`: WebGL through ANGLE on SwiftShader and WebGPU on SwiftShader's Vulkan (both
 * ship with Debian's chromium), so the GPU backends run their real shader code on a machine without a GPU.
 * WebGPU needs a secure context: serve the page from http://127.0.0.1.
 */
export const CHROMIUM_GPU_ARGS = [
  ...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'),
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
];
