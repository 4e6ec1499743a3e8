/**
 * Small tmpfs mounts for storage-fault tests (disk full, read-only file system). Only root with
 * CAP_SYS_ADMIN can mount; tests ask `canMount()` first and skip with a message elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(args: string[]): void {
  execFileSync(args[0] as string, args.slice(1), { stdio: 'pipe' });
}

let mountable: boolean | undefined;

/** Whether `mount -t tmpfs` works here (tried once on a scratch directory). */
export function canMount(): boolean {
  if (mountable !== undefined) return mountable;
  const dir = mkdtempSync(join(tmpdir(), 'peakboard-mount-probe-'));
  try {
    run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    run(['umount', dir]);
    mountable = true;
  } catch {
    mountable = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return mountable;
}

export interface TmpfsMount {
  dir: string;
  /** Remounts read-only (or read-write again). */
  setReadOnly(readOnly: boolean): void;
  /** Fills the free space with a ballast file; returns its size in bytes. */
  fill(): number;
  /** Deletes the ballast file: the space is free again. */
  freeBallast(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `sizeMiB` on a fresh directory under the OS temp dir. */
export function mountTmpfs(sizeMiB: number): TmpfsMount {
  const dir = mkdtempSync(join(tmpdir(), 'peakboard-tmpfs-'));
  run(['mount', '-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  const ballast = join(dir, 'ballast.bin');
  return {
    dir,
    setReadOnly(readOnly) {
      run(['mount', '-o', `remount,${readOnly ? 'ro' : 'rw'}`, dir]);
    },
    fill() {
      mkdirSync(dir, { recursive: true });
      const fd = openSync(ballast, 'a');
      const chunk = Buffer.alloc(64 * 1024);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch {
        // ENOSPC: full. Smaller writes take the last partial block too.
        try {
          for (;;) written += writeSync(fd, chunk, 0, 512);
        } catch {
          // full to the byte
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    freeBallast() {
      rmSync(ballast, { force: true });
    },
    unmount() {
      try {
        run(['umount', dir]);
      } catch {
        run(['umount', '-l', dir]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
