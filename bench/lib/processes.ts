/**
 * Child processes the benchmarks and drills talk to over loopback: `tgpipe serve` (as deployed locally)
 * and the bare node:http floor, both started the same way and both printing "listening on URL".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
const TGPIPE = join(PROJECT_ROOT, 'bin', 'tgpipe.mjs');
const BARE = join(import.meta.dirname, 'bare-server.mjs');

export interface Child {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the child wrote to stderr so far (for error messages). */
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal); SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

export async function startListening(args: string[], env: NodeJS.ProcessEnv = {}, startTimeoutMs = 30_000): Promise<Child> {
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args[0]} did not start within ${startTimeoutMs} ms: ${err}`));
    }, startTimeoutMs);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code} before listening: ${err}`));
    });
  });
  return {
    child,
    url,
    stderr: () => err,
    stop: (signal = 'SIGTERM', graceMs = 20_000) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill(signal);
      }),
  };
}

/** `tgpipe serve --port 0 --no-timer --data DIR` on 127.0.0.1, with extra flags (e.g. `--fail-rate 0.1`). */
export function startTgpipeServe(dataDir: string, flags: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Child> {
  return startListening([TGPIPE, 'serve', '--host', '127.0.0.1', '--port', '0', '--no-timer', '--data', dataDir, ...flags], env);
}

/** The floor: a bare node:http server that reads the body and answers 200. */
export function startBareServer(): Promise<Child> {
  return startListening([BARE]);
}
