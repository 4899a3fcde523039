/**
 * WebGPU for Node: installs `navigator.gpu` from the npm package `webgpu` (Dawn's Node binding, whose native
 * `dawn.node` ships inside the package) so that `@tensorflow/tfjs-backend-webgpu` can register itself.
 *
 * Loaded by `initBackend('webgpu')` through a dynamic import, and only where no `navigator.gpu` exists, so a
 * browser never runs it. It has no static imports at all: node builtins and `webgpu` are imported through
 * variable specifiers, so that a browser bundler that follows the dynamic import finds nothing to resolve.
 *
 * Vulkan on Linux (Dawn's backend there): Dawn loads the Vulkan loader `libvulkan.so.1` (Debian package
 * `libvulkan1`), which loads a driver (ICD) described by a JSON file. In order:
 *   1. `VK_ICD_FILENAMES` / `VK_DRIVER_FILES` set by the user are respected as they are;
 *   2. otherwise the system's drivers (`/usr/share/vulkan/icd.d`, `/etc/vulkan/icd.d`, ...), a GPU's driver;
 *   3. where there are none, or none gives an adapter, the CPU implementation SwiftShader that Debian's
 *      `chromium` package installs (`vk_swiftshader_icd.json`). It is slow but runs the real GPU code path,
 *      which is what the tests need. (Debian 12's Mesa lavapipe is too old for Dawn.)
 * The Vulkan loader and Dawn want a writable `XDG_RUNTIME_DIR` for their caches; one is made when unset.
 */

/** The subset of the `webgpu` package's exports used here. */
interface WebGPUModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface AdapterLike {
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface GpuLike {
  requestAdapter(options?: unknown): Promise<AdapterLike | null>;
}
type Env = Record<string, string | undefined>;

/** The `webgpu` version ttrnn is tested with (the pnpm catalog pins the same). */
export const WEBGPU_PACKAGE = 'webgpu@0.6.2';

/** Where Vulkan drivers register their JSON manifests on Linux (the loader's default search path). */
const SYSTEM_ICD_DIRS = [
  '/usr/local/etc/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
  '/etc/vulkan/icd.d',
  '/usr/share/vulkan/icd.d',
];

/** SwiftShader manifests shipped by browsers: Debian/Ubuntu/Arch chromium, Fedora chromium, Google Chrome. */
const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

const LIBVULKAN_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

interface NodeFs {
  existsSync(p: string): boolean;
  readdirSync(p: string): string[];
  mkdirSync(p: string, o: { recursive: boolean; mode: number }): unknown;
}

// Variable specifiers: bundlers leave these imports alone (see the module comment).
const FS = 'node:fs';
const OS = 'node:os';
async function nodeFs(): Promise<NodeFs> {
  return (await import(/* @vite-ignore */ FS)) as NodeFs;
}

/** What `describeVulkan` found; `problem` is set when no adapter can be expected, saying what to install. */
export interface VulkanSetup {
  /** The ICD manifest(s) in use, or 'system' for the loader's own search. */
  readonly icd: string;
  /** Where the choice came from. */
  readonly source: 'env' | 'system' | 'swiftshader' | 'none';
  readonly problem?: string;
}

const INSTALL_VULKAN =
  "install a Vulkan driver: your GPU vendor's, or for a CPU fallback Debian's `chromium` package (its SwiftShader: " +
  '`apt-get install -y libvulkan1 chromium`), or set VK_ICD_FILENAMES to a driver manifest';

function icdFiles(fs: NodeFs, dir: string): string[] {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${dir}/${f}`);
  } catch {
    return [];
  }
}

/** Chooses the Vulkan driver as the module comment describes (Linux only; other systems use Metal / D3D12). */
export async function describeVulkan(env: Env, platform: string): Promise<VulkanSetup> {
  if (platform !== 'linux') return { icd: 'system', source: 'system' };
  const fs = await nodeFs();
  const extraLib = (env['LD_LIBRARY_PATH'] ?? '').split(':').filter((d) => d !== '');
  const hasLoader = [...extraLib, ...LIBVULKAN_DIRS].some((d) => fs.existsSync(`${d}/libvulkan.so.1`));
  const noLoader = hasLoader
    ? {}
    : {
        problem: `the Vulkan loader libvulkan.so.1 was not found (Debian package \`libvulkan1\`); also ${INSTALL_VULKAN}`,
      };
  const given = env['VK_ICD_FILENAMES'] ?? env['VK_DRIVER_FILES'];
  if (given !== undefined && given !== '') return { icd: given, source: 'env', ...noLoader };
  const system = SYSTEM_ICD_DIRS.flatMap((d) => icdFiles(fs, d));
  if (system.length > 0) return { icd: 'system', source: 'system', ...noLoader };
  const swiftshader = findSwiftShaderIcd(fs);
  if (swiftshader !== null) return { icd: swiftshader, source: 'swiftshader', ...noLoader };
  return { icd: 'none', source: 'none', problem: `no Vulkan driver was found; ${INSTALL_VULKAN}` };
}

function findSwiftShaderIcd(fs: NodeFs): string | null {
  return SWIFTSHADER_ICDS.find((p) => fs.existsSync(p)) ?? null;
}

/** Imports the `webgpu` package (`specifier` only for tests of the install hint). */
export async function loadWebGPUPackage(specifier = 'webgpu'): Promise<WebGPUModule> {
  const pkg = specifier;
  try {
    return (await import(/* @vite-ignore */ pkg)) as WebGPUModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `Backend 'webgpu' in Node needs the optional package ${WEBGPU_PACKAGE} (Dawn's WebGPU for Node; its native ` +
          `dawn.node is inside the package, nothing is downloaded), which is not installed. Install it with ` +
          `\`pnpm add ${WEBGPU_PACKAGE}\` or \`npm install ${WEBGPU_PACKAGE}\`, or choose --backend wasm or cpu.`,
      );
    }
    throw new Error(`Backend 'webgpu': loading the package 'webgpu' failed: ${(err as Error).message}`);
  }
}

function adapterName(a: AdapterLike): string {
  const i = a.info;
  if (i === undefined) return 'unknown adapter';
  const parts = [i.vendor, i.architecture, i.description].filter((s): s is string => s !== undefined && s !== '');
  return parts.length > 0 ? parts.join(' ') : 'unknown adapter';
}

/**
 * Why `installNodeWebGPU` cannot succeed here, or null: the package or the Vulkan loader or driver is
 * missing. For skipping tests with a message that says what to install; it starts no GPU.
 */
export async function nodeWebGPUProblem(): Promise<string | null> {
  const proc = (globalThis as { process?: { env: Env; platform: string } }).process;
  if (proc === undefined) return 'this runtime has neither navigator.gpu nor Node';
  try {
    await loadWebGPUPackage();
  } catch (err) {
    return (err as Error).message;
  }
  return (await describeVulkan(proc.env, proc.platform)).problem ?? null;
}

/** The adapter found by the last `installNodeWebGPU`, for reports. */
let installed: { adapter: string; vulkan: VulkanSetup } | null = null;

export function nodeWebGPUAdapter(): { adapter: string; vulkan: VulkanSetup } | null {
  return installed;
}

/**
 * Makes `globalThis.navigator.gpu` a Dawn GPU with a working adapter; throws, saying what to install, where
 * none can be had. Idempotent.
 */
export async function installNodeWebGPU(): Promise<{ adapter: string; vulkan: VulkanSetup }> {
  if (installed !== null) return installed;
  const proc = (globalThis as { process?: { env: Env; platform: string } }).process;
  if (proc === undefined)
    throw new Error("Backend 'webgpu': this runtime has neither navigator.gpu nor Node's process");
  const env = proc.env;
  const mod = await loadWebGPUPackage();
  let vulkan = await describeVulkan(env, proc.platform);
  if (vulkan.problem !== undefined) throw new Error(`Backend 'webgpu': ${vulkan.problem}.`);
  if (proc.platform === 'linux' && (env['XDG_RUNTIME_DIR'] === undefined || env['XDG_RUNTIME_DIR'] === '')) {
    const os = (await import(/* @vite-ignore */ OS)) as { tmpdir(): string; userInfo(): { uid: number } };
    const dir = `${os.tmpdir()}/ttrnn-xdg-${os.userInfo().uid}`;
    (await nodeFs()).mkdirSync(dir, { recursive: true, mode: 0o700 });
    env['XDG_RUNTIME_DIR'] = dir;
  }
  if (vulkan.source === 'swiftshader') env['VK_ICD_FILENAMES'] = vulkan.icd;
  Object.assign(globalThis, mod.globals);
  let gpu = mod.create([]);
  let adapter = await gpu.requestAdapter();
  if (adapter === null && vulkan.source === 'system') {
    // The system's drivers gave nothing Dawn accepts (no GPU, or a Mesa too old): try SwiftShader.
    const sw = findSwiftShaderIcd(await nodeFs());
    if (sw !== null) {
      env['VK_ICD_FILENAMES'] = sw;
      vulkan = { icd: sw, source: 'swiftshader' };
      gpu = mod.create([]);
      adapter = await gpu.requestAdapter();
    }
  }
  if (adapter === null) {
    throw new Error(
      `Backend 'webgpu': Dawn found no WebGPU adapter (Vulkan driver: ${vulkan.icd === 'system' ? "the system's" : vulkan.icd}); ${INSTALL_VULKAN}.`,
    );
  }
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    g.navigator = { gpu };
  } else {
    // Node ≥ 21 has a navigator object of its own: add gpu to it.
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, enumerable: true, writable: true });
  }
  installed = { adapter: adapterName(adapter), vulkan };
  return installed;
}
