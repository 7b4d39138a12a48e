/**
 * The library's ioctl threads on the host, with an ioctl any file answers: FIONREAD on a regular
 * file writes the bytes left to read into the buffer (the kernel's do_vfs_ioctl), so a thread's
 * answer must come back into the caller's buffer; on /dev/null the same ioctl fails with ENOTTY.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockingThreads } from '../../lib/sys/threads.js';

const FIONREAD = 0x541b;
const ENOTTY = 25;

describe('BlockingThreads.ioctl', () => {
  const threads = new BlockingThreads();
  let dir: string;
  let fileFd: number;
  let nullFd: number;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsdm-threads-'));
    writeFileSync(join(dir, 'f'), Buffer.alloc(1234, 1));
    fileFd = openSync(join(dir, 'f'), 'r');
    nullFd = openSync('/dev/null', 'r');
  });

  afterAll(async () => {
    await threads.end();
    closeSync(fileFd);
    closeSync(nullFd);
    rmSync(dir, { recursive: true, force: true });
  });

  it("brings the kernel's answer back into the caller's buffer, and leaves the rest as it was", async () => {
    const buffer = Buffer.alloc(16384, 0x33);
    expect(await threads.ioctl(fileFd, FIONREAD, buffer)).toBe(0);
    expect(buffer.readInt32LE(0)).toBe(1234);
    expect(buffer.subarray(4).every((byte) => byte === 0x33)).toBe(true);
  });

  it('resolves with the errno of a failed ioctl', async () => {
    expect(await threads.ioctl(nullFd, FIONREAD, Buffer.alloc(64))).toBe(ENOTTY);
  });

  it('runs calls under way at once on threads of their own, small and large buffers alike', async () => {
    const buffers = [Buffer.alloc(4096), Buffer.alloc(16384), Buffer.alloc(100_000), Buffer.alloc(16384)];
    const answers = await Promise.all(buffers.map((buffer) => threads.ioctl(fileFd, FIONREAD, buffer)));
    expect(answers).toEqual([0, 0, 0, 0]);
    expect(buffers.map((buffer) => buffer.readInt32LE(0))).toEqual([1234, 1234, 1234, 1234]);
  });

  it('keeps answering over many calls on the same threads', async () => {
    let sum = 0;
    for (let i = 0; i < 200; i++) {
      const buffer = Buffer.alloc(16384);
      expect(await threads.ioctl(i % 2 ? fileFd : nullFd, FIONREAD, buffer)).toBe(i % 2 ? 0 : ENOTTY);
      sum += buffer.readInt32LE(0);
    }
    expect(sum).toBe(100 * 1234);
  });
});
