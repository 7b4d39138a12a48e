/**
 * Runs around every VM test file: afterwards, no test device, loop device, /dev/mapper node or
 * udev-cookie semaphore may be left. A leak fails the file that caused it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, expect } from 'vitest';
import { attachedLoopDevices } from '../helpers/loop.js';
import { devicesWithPrefix, TEST_PREFIX } from '../helpers/devices.js';

function cookieSemaphores(): string[] {
  const out = execFileSync('ipcs', ['-s'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => /^0x0d4d/i.test(line));
}

afterAll(() => {
  expect(devicesWithPrefix(TEST_PREFIX), 'test devices left behind').toEqual([]);
  expect(attachedLoopDevices(), 'loop devices left attached').toEqual([]);
  const nodes = existsSync('/dev/mapper') ? readdirSync('/dev/mapper').filter((n) => n.startsWith(TEST_PREFIX)) : [];
  expect(nodes, '/dev/mapper nodes left behind').toEqual([]);
  expect(cookieSemaphores(), 'udev cookie semaphores left behind').toEqual([]);
});
