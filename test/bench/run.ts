/**
 * `npm run bench`: speed of the library and the CLI against references measured in the same run,
 * inside the VM (the only place with device-mapper), printed as ratios.
 *
 * References:
 * - a C program making the same raw ioctls (compiled here with cc against <linux/dm-ioctl.h>): the
 *   floor for any user-space library, including libdevmapper;
 * - Debian's dmsetup processes, for the CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceMapper } from '../../lib/index.js';

const C_REFERENCE = String.raw`
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

static char buf[16384];
static struct dm_ioctl *header(const char *name) {
  struct dm_ioctl *io = (struct dm_ioctl *)buf;
  memset(buf, 0, sizeof(struct dm_ioctl));
  io->version[0] = 4;
  io->data_size = sizeof(buf);
  io->data_start = sizeof(struct dm_ioctl);
  if (name) strncpy(io->name, name, DM_NAME_LEN - 1);
  return io;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }

int main(int argc, char **argv) {
  int n = atoi(argv[2]);
  int fd = open("/dev/mapper/control", O_RDWR);
  if (fd < 0) { perror("open"); return 1; }
  double start = now();
  for (int i = 0; i < n; i++) {
    if (!strcmp(argv[1], "version")) {
      if (ioctl(fd, DM_VERSION, header(NULL))) { perror("version"); return 1; }
    } else {
      if (ioctl(fd, DM_DEV_CREATE, header("tsdm-bench-c"))) { perror("create"); return 1; }
      if (ioctl(fd, DM_DEV_REMOVE, header("tsdm-bench-c"))) { perror("remove"); return 1; }
    }
  }
  printf("%.0f\n", (now() - start) / n);
  return 0;
}
`;

interface Measurement {
  name: string;
  oursNs: number;
  referenceNs: number;
  reference: string;
}

function timeLoop(n: number, body: () => void): number {
  for (let i = 0; i < Math.min(50, n); i++) body(); // warm up (JIT, buffers)
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body();
  return Number(process.hrtime.bigint() - start) / n;
}

function timeProcess(n: number, file: string, args: string[]): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const result = spawnSync(file, args, { env: { ...process.env, DM_DISABLE_UDEV: '1' } });
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr.toString()}`);
  }
  return Number(process.hrtime.bigint() - start) / n;
}

function formatNs(ns: number): string {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'tsdm-bench-'));
  const measurements: Measurement[] = [];
  const dm = DeviceMapper.open({ nodes: false, ensureTargets: false });
  try {
    const cBinary = join(dir, 'reference');
    writeFileSync(join(dir, 'reference.c'), C_REFERENCE);
    execFileSync('cc', ['-O2', '-o', cBinary, join(dir, 'reference.c')]);
    const c = (what: string, n: number): number => Number(execFileSync(cBinary, [what, String(n)], { encoding: 'utf8' }));

    const versionRequest = { command: 'VERSION', operation: 'version' } as const;
    measurements.push({
      name: 'DM_VERSION ioctl',
      oursNs: timeLoop(20000, () => dm.ioctl.run(versionRequest, () => undefined)),
      referenceNs: c('version', 20000),
      reference: 'C raw ioctl',
    });
    measurements.push({
      name: 'create + remove (no table)',
      oursNs: timeLoop(2000, () => {
        dm.create('tsdm-bench-js');
        dm.remove({ name: 'tsdm-bench-js' });
      }),
      referenceNs: c('cycle', 2000),
      reference: 'C raw ioctls',
    });
    const cli = join(process.cwd(), 'dist', 'cli', 'bin.js');
    measurements.push({
      name: 'version command (process)',
      oursNs: timeProcess(20, process.execPath, [cli, 'version']),
      referenceNs: timeProcess(20, 'dmsetup', ['version']),
      reference: 'dmsetup',
    });
  } finally {
    dm.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('benchmark                      ours         reference    ratio (ours / reference)');
  for (const m of measurements) {
    console.log(
      `${m.name.padEnd(30)} ${formatNs(m.oursNs).padEnd(12)} ${formatNs(m.referenceNs).padEnd(12)} ${(m.oursNs / m.referenceNs).toFixed(2)}×  vs ${m.reference}`,
    );
  }
}

main();
