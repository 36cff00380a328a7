/** Runs `tgpipe serve` as a real child process on 127.0.0.1 and port 0, and posts updates to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, Agent } from 'node:http';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tgpipe.mjs');

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServe(dataDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dataDir, '--no-timer', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return {
    child,
    url,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

export function post(url: string, body: string, headers: Record<string, string>, agent?: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
