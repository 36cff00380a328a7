/**
 * A real S3-protocol server on 127.0.0.1 for tests: s3rver in a child process (see s3rver-child.cjs),
 * and an S3Client configured for it. Each server gets its own folder, removed at stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';

export interface S3rverHandle {
  readonly endpoint: string;
  /** A client for this server: path-style, s3rver's fixed test credentials. */
  client(): S3Client;
  stop(): Promise<void>;
}

export async function startS3rver(buckets: readonly string[]): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', join(import.meta.dirname, 's3rver-child.cjs'), directory, ...buckets], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start in 20 s: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    client: () =>
      new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        // s3rver predates S3's flexible checksums (aws-chunked bodies with trailing CRC32): ask the SDK
        // for checksums only where S3 requires them, as S3-compatible stores are usually configured.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
