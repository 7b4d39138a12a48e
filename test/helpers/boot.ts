/**
 * For kernel tests that need a guest booted a particular way (no dm-mod, a bare tmpfs /dev, …):
 * boots a fresh guest per scenario from the host and returns what the script printed. Each
 * scenario starts from a pristine kernel, so it cleans up by construction.
 */
import { availableParallelism } from 'node:os';
import { defaultVmOptions, runInVm, type VmOptions } from '../harness/vm.js';

export interface BootResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `script` with /bin/sh as root in a new guest set up per `options`. */
export async function bootAndRun(script: string, options: Partial<VmOptions> = {}): Promise<BootResult> {
  let stdout = '';
  let stderr = '';
  // Spread scenario files over the host CPUs (vitest numbers its workers from 1).
  const cpu = (Number(process.env['VITEST_POOL_ID'] ?? '1') - 1) % availableParallelism();
  const { status } = await runInVm(
    ['sh', '-c', script],
    { ...defaultVmOptions, cpu, timeoutSeconds: 120, ...options },
    {
      stdio: 'pipe',
      onStdout: (chunk) => (stdout += chunk.toString()),
      onStderr: (chunk) => (stderr += chunk.toString()),
      env: { ...process.env, CI: 'true' },
    },
  );
  return { status, stdout, stderr };
}

/** The shell line that switches off the kernel's module autoloader (request_module). */
export const DISABLE_KERNEL_AUTOLOAD = 'echo /nonexistent > /proc/sys/kernel/modprobe';

/** A PATH without the guest's modprobe wrapper: modules are then unreachable (the host has no /lib/modules). */
export const PATH_WITHOUT_MODULES = 'PATH=/usr/bin:/bin:/usr/sbin:/sbin';
