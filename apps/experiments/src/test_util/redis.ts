/**
 * A real redis-server for tests: a free localhost port, a temporary directory, append-only persistence
 * (fsync on every write) so a restart keeps everything. Tests skip, naming the Debian package, where the
 * binary is missing (`.ci/run` installs it).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;
export const NO_REDIS_MESSAGE =
  'redis-server is not installed: these tests need a real Redis (Debian package redis-server: apt-get install -y redis-server)';

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export class TestRedis {
  private proc: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), mkdtempSync(join(tmpdir(), 'ttrnn-redis-')));
    await r.up();
    return r;
  }

  /** Starts the server (again, on the same port and directory: what it persisted comes back), until it is ready. */
  async up(): Promise<void> {
    const options = {
      port: this.port,
      bind: '127.0.0.1',
      dir: this.dir,
      appendonly: 'yes',
      appendfsync: 'always',
      save: '',
    };
    const args = Object.entries(options).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.proc = proc;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('Ready to accept connections')) resolve();
      });
      proc.once('exit', () => reject(new Error(`redis-server did not start on port ${this.port}:\n${log}`)));
    });
  }

  /** Stops the server (SIGTERM: it flushes its append-only file). */
  async down(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (p === null || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }

  client(): Redis {
    const c = new Redis(this.url, { maxRetriesPerRequest: null });
    c.on('error', () => {});
    return c;
  }
}
