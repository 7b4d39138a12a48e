/**
 * Debian's linux.uml 6.1 cannot start a process on a host CPU with Intel AMX: its FPU buffer is
 * smaller than the host's XSAVE size and the host refuses the write (see uml-xstate-shim.c). On such
 * a host the runner builds that shim into the guest's scratch directory and preloads it into
 * linux.uml; elsewhere nothing is done.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** True when /proc/cpuinfo lists AMX tile data, the feature that makes the host XSAVE area too big for UML 6.1. */
export function hostHasAmx(cpuinfo = readCpuinfo()): boolean {
  return /^flags\s*:.*\bamx_tile\b/m.test(cpuinfo);
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Environment for linux.uml: on an AMX host, `LD_PRELOAD` of the shim compiled into `scratch`;
 * otherwise nothing. Throws a clear error when the shim is needed and `cc` cannot build it.
 */
export function umlPreloadEnv(scratch: string, repoRoot: string, amx = hostHasAmx()): NodeJS.ProcessEnv {
  if (!amx) return {};
  const source = join(repoRoot, 'test', 'harness', 'uml-xstate-shim.c');
  const library = join(scratch, 'uml-xstate-shim.so');
  try {
    execFileSync('cc', ['-O2', '-Wall', '-Werror', '-shared', '-fPIC', '-o', library, source, '-ldl'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString() ?? String(error);
    throw new Error(
      `run-vm: this host's CPU has AMX, which Debian's linux.uml 6.1 cannot run under without a small ptrace shim, ` +
        `and cc could not build it (apt-get install -y gcc libc6-dev):\n${detail}`,
    );
  }
  return { LD_PRELOAD: library };
}
