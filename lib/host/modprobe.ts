/** Finding and running modprobe, for dm-mod and for target modules. */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finds an executable `modprobe`: on PATH, else /sbin/modprobe. */
export function findModprobe(path = process.env['PATH'] ?? ''): string {
  for (const dir of [...path.split(delimiter).filter(Boolean), '/sbin', '/usr/sbin']) {
    const candidate = join(dir, 'modprobe');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return '/sbin/modprobe';
}

/** Runs `modprobe <module>`; returns undefined on success, else what went wrong, in words. */
export function runModprobe(modprobe: string, module: string): string | undefined {
  const result = spawnSync(modprobe, [module], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) return `${modprobe} ${module} could not run: ${result.error.message}`;
  if (result.status !== 0) {
    const said = result.stderr.trim().split('\n').at(-1);
    return `${modprobe} ${module} failed (exit ${result.status ?? result.signal})${said ? `: ${said}` : ''}`;
  }
  return undefined;
}
