/**
 * Real file system faults for the drills: a small tmpfs mounted on a folder (it fills up for real, and
 * can be remounted read-only), when this run may mount one (root with CAP_SYS_ADMIN, as in CI). When it
 * may not, `mountSmallFs` says why, and the drills run a fault-injected variant instead.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface SmallFs {
  readonly dir: string;
  /** Remounts read-only or read-write, keeping the files. */
  remount(mode: 'ro' | 'rw'): void;
  /** Fills the free space with a file (`fill` in the folder); returns its size. */
  fill(): number;
  /** Removes the filler. */
  unfill(): Promise<void>;
  unmount(): void;
}

const run = (args: string[]): void => {
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
};

/** Mounts a tmpfs of `bytes` on `dir` (created), or returns why it cannot. */
export function mountSmallFs(dir: string, bytes: number): SmallFs | string {
  if (process.platform !== 'linux') return `not Linux (${process.platform}): no tmpfs`;
  if (process.getuid?.() !== 0) return 'not root: cannot mount a tmpfs';
  mkdirSync(dir, { recursive: true });
  try {
    run(['mount', '-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tgpipe-drill', dir]);
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
    return `mount -t tmpfs failed (${stderr || 'no permission'}): no CAP_SYS_ADMIN in this container`;
  }
  const filler = join(dir, 'fill');
  return {
    dir,
    remount: (mode) => run(['mount', '-o', `remount,${mode}`, dir]),
    fill() {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let size = 0;
      try {
        for (let step = chunk.length; step >= 1; ) {
          try {
            size += writeSync(fd, chunk, 0, step);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
            step = Math.floor(step / 2);
          }
        }
      } finally {
        closeSync(fd);
      }
      return size;
    },
    unfill: () => rm(filler, { force: true }),
    unmount() {
      try {
        run(['umount', dir]);
      } catch {
        run(['umount', '-l', dir]);
      }
    },
  };
}

/** An Error like the one a system call fails with (`code`, `errno`, `syscall`). */
export function systemError(code: 'ENOSPC' | 'EROFS' | 'EIO', syscall: string): NodeJS.ErrnoException {
  const messages = { ENOSPC: 'no space left on device', EROFS: 'read-only file system', EIO: 'i/o error' };
  const error = new Error(`${code}: ${messages[code]}, ${syscall}`) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = syscall;
  return error;
}
