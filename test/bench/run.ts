/**
 * `npm run bench [-- flags]`: speed of our library and CLI against libdevmapper, a raw-ioctl C loop
 * and Debian's dmsetup, measured side by side and printed as ratios (see options.ts for the flags).
 *
 * On the host: compiles the C references (c/*.c), times the kernel-free CLI rows, then boots the VM
 * and runs guest.ts there (library cases, guest CLI rows), reads back its samples, prints the report
 * and, with --json, writes everything for tracking.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { defaultVmOptions, repoRoot, runInVm } from '../harness/vm.js';
import { compileReferences } from './c-refs.js';
import { kernelFreeRows, measureCli } from './cli-cases.js';
import { measureLayers, measureOpens } from './startup.js';
import { BENCH_USAGE, parseBenchArguments, selected } from './options.js';
import { formatReport } from './report.js';
import type { BenchResults, GuestResults } from './results.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  const options = parseBenchArguments(argv);
  const binDir = join(repoRoot, 'dist', 'bench-bin');
  compileReferences(repoRoot, binDir);

  const host = selected(options, 'host')
    ? {
        cli: measureCli(kernelFreeRows, options.cliRounds, repoRoot),
        opens: measureOpens([['splitname', 'a-b']], repoRoot),
        layers: measureLayers(repoRoot, options.cliRounds),
      }
    : { cli: [], opens: [], layers: [] };

  // The guest writes its samples here (the repository is the guest's through hostfs).
  const out = join(binDir, 'guest-results.json');
  rmSync(out, { force: true });
  const guestArgv = [process.execPath, '--expose-gc', join(repoRoot, 'dist/test/bench/guest.js'), ...argv, '--out', out, '--bin', binDir];
  // 10 000 devices (kdmflush threads, bio sets) want more than the default 1 GiB.
  const vm = await runInVm(guestArgv, { ...defaultVmOptions, mem: '2G', cpu: options.cpu, timeoutSeconds: 3600 });
  if (vm.status !== 0 || !existsSync(out)) {
    process.stderr.write(`bench: the guest run failed (status ${vm.status})\n`);
    return 1;
  }
  const guest = JSON.parse(readFileSync(out, 'utf8')) as GuestResults;
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown CPU',
      cpus: cpus().length,
      hostKernel: release(),
      node: process.version,
      guestKernel: guest.kernel,
      driverVersion: guest.driverVersion,
    },
    options: { ...options, out: undefined, bin: undefined },
    guest,
    host,
  };
  process.stdout.write(formatReport(results));
  if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 2;
}
