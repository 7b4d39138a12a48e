/**
 * Secrets end to end, against the real kernel: a child process (fixtures/secrets-child.mjs) makes
 * a random 64-byte key as a SecretKey, creates an aes-xts-plain64 crypt device over a zero device,
 * reads its table back (typed), removes both, disposes its keys and collects garbage; then this
 * test reads every writable mapping of the child (/proc/<pid>/maps, /proc/<pid>/mem) and counts
 * the key's bytes and its hex text (lower and upper case, whole and in halves). The library's own
 * path leaves 0 copies. The control runs the same steps through strings (the row's params made
 * with Target.text(), the table read with showKeys), as the library did before: there the scan
 * finds the key, which shows it can.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceNames, devicesWithPrefix, removeDevicesWithPrefix } from '../helpers/devices.js';
import { shellOk } from '../helpers/clients.js';

const names = deviceNames('secmem');

/** How many times each form of the key occurs in the child's writable memory. */
type Counts = Record<string, number>;

/** The forms searched for: the key's bytes, its hex in both cases, and halves of each (a fragment is a copy too). */
function patterns(key: Buffer): Record<string, Buffer> {
  const lower = Buffer.from(key.toString('hex'), 'latin1');
  const upper = Buffer.from(key.toString('hex').toUpperCase(), 'latin1');
  return {
    bytes: key,
    'bytes, first half': key.subarray(0, 32),
    'bytes, second half': key.subarray(32),
    hex: lower,
    'hex, first half': lower.subarray(0, 64),
    'hex, second half': lower.subarray(64),
    HEX: upper,
    'HEX, first half': upper.subarray(0, 64),
  };
}

/** Occurrences of `pattern` in `chunk`. */
function occurrences(chunk: Buffer, pattern: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(pattern); at !== -1; at = chunk.indexOf(pattern, at + 1)) count++;
  return count;
}

/**
 * Reads each readable and writable mapping of `pid` through /proc/<pid>/mem and counts each
 * pattern; chunks overlap by the longest pattern, so a copy across a chunk boundary is found once.
 */
function scan(pid: number, forms: Record<string, Buffer>): { counts: Counts; bytesRead: number } {
  const counts: Counts = Object.fromEntries(Object.keys(forms).map((name) => [name, 0]));
  const longest = Math.max(...Object.values(forms).map((form) => form.length));
  const chunkSize = 1 << 20;
  const chunk = Buffer.alloc(chunkSize + longest);
  let bytesRead = 0;
  const regions = readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .filter((line) => /^[0-9a-f]+-[0-9a-f]+ rw/.test(line))
    .map((line) => line.split(' ')[0]!.split('-').map((hex) => parseInt(hex, 16)) as [number, number]);
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    for (const [start, end] of regions) {
      let carried = 0;
      for (let at = start; at < end; at += chunkSize) {
        const length = Math.min(chunkSize, end - at);
        let got: number;
        try {
          got = readSync(fd, chunk, carried, length, at);
        } catch {
          break; // a mapping the kernel will not let us read ([vvar] and the like)
        }
        bytesRead += got;
        const view = chunk.subarray(0, carried + got);
        for (const [name, form] of Object.entries(forms)) {
          // Only matches that end in the new bytes: those in the carried tail were counted already.
          let count = occurrences(view, form);
          if (carried > 0) count -= occurrences(view.subarray(0, carried), form);
          counts[name]! += count;
        }
        carried = Math.min(longest - 1, view.length);
        view.copy(chunk, 0, view.length - carried);
        if (got < length) break;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { counts, bytesRead };
}

/** Runs the child on `path` until it waits, scans it, lets it go; its report, the key and the counts. */
async function runChild(path: 'kept' | 'strings'): Promise<{ report: Record<string, unknown>; counts: Counts; bytesRead: number }> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', 'test/vm/fixtures/secrets-child.mjs', names.of(`${path}-`), path], {
    stdio: ['pipe', 'pipe', 'inherit', 'pipe'],
  });
  running = child;
  const keyParts: Buffer[] = [];
  child.stdio[3]!.on('data', (data: Buffer) => keyParts.push(data));
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString('utf8');
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`secrets-child.mjs ${path} exited ${code} before it reported`)));
  });
  const key = Buffer.concat(keyParts);
  expect(key.length).toBe(64);
  const { counts, bytesRead } = scan(child.pid!, patterns(key));
  key.fill(0);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin!.end('\n');
  await exited;
  running = undefined;
  return { report: JSON.parse(line) as Record<string, unknown>, counts, bytesRead };
}

let running: ChildProcess | undefined;

beforeAll(() => {
  shellOk('modprobe -a dm-crypt');
});

afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
  removeDevicesWithPrefix(names.prefix);
});

describe('no copy of a crypt key is left in the process (scanned from outside)', { timeout: 600_000 }, () => {
  it('the library path (rows with SecretKeys, table() into SecretKeys): 0 copies after create, table, remove', async () => {
    const { report, counts, bytesRead } = await runChild('kept');
    console.log(`kept: ${JSON.stringify(counts)} in ${(bytesRead / 2 ** 20).toFixed(1)} MiB scanned`);
    expect(report).toMatchObject({ path: 'kept', keyMatches: true, secretRows: 1 });
    expect(bytesRead).toBeGreaterThan(1 << 20);
    expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((name) => [name, 0])));
    expect(devicesWithPrefix(names.prefix)).toEqual([]);
  });

  it('control: the same steps through strings (Target.text(), showKeys) leave copies the scan finds', async () => {
    const { report, counts, bytesRead } = await runChild('strings');
    console.log(`strings: ${JSON.stringify(counts)} in ${(bytesRead / 2 ** 20).toFixed(1)} MiB scanned`);
    expect(report).toMatchObject({ path: 'strings', keyMatches: true });
    expect(counts['hex']! + counts['hex, first half']! + counts['hex, second half']!).toBeGreaterThanOrEqual(1);
    expect(devicesWithPrefix(names.prefix)).toEqual([]);
  });
});
