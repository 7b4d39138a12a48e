/**
 * Removing devices against the real kernel: plain, busy (EBUSY while a block device is held open),
 * `retry` with its delays and onRetry callback, deferred removal and its cancellation, removeAsync,
 * and removeAll with `deferred`. A device is held open through its `/dev/dm-N` node.
 */
import { describe, expect, it } from 'vitest';
import { type DmError } from '../../lib/index.js';
import { catchDmError, catchDmErrorAsync, dmsetup, dmsetupDevices, dmsetupInfo, eventually, Openers, zeroTable, useKernelFixture } from './lib-support.js';

const openers = new Openers();
const { dm, names } = useKernelFixture('lib-remove', { beforeCleanup: () => openers.closeAll() });

/** A live zero device, held open by this process; returns its name and the open fd. */
function heldDevice(suffix: string): { name: string; fd: number } {
  const name = names.of(suffix);
  const info = dm.createDevice(name, zeroTable(2048));
  const fd = openers.open(info.minor);
  expect(dm.info({ name }).openCount).toBe(1);
  return { name, fd };
}

describe('remove', () => {
  it('removes an unused device', () => {
    const name = names.of('plain');
    dm.createDevice(name, zeroTable(2048));
    dm.remove({ name });
    expect(dm.tryInfo({ name })).toBeUndefined();
    expect(dmsetupInfo(name)).toBeUndefined();
  });

  it('a device held open cannot be removed: EBUSY, and it is still there', () => {
    const { name } = heldDevice('busy');
    const error = catchDmError(() => dm.remove({ name }));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EBUSY', command: 'DEV_REMOVE', operation: 'remove', device: { name } });
    expect(dmsetupInfo(name)).toMatchObject({ open: 1, live: true });
  });

  it('retry: tries again after EBUSY, calling onRetry, until the device is free', () => {
    const { name, fd } = heldDevice('retry');
    const calls: { code: string; attempt: number }[] = [];
    dm.remove(
      { name },
      {
        retry: {
          attempts: 10,
          delayMs: 20,
          onRetry: (error: DmError, attempt: number) => {
            calls.push({ code: error.code, attempt });
            if (attempt === 2) openers.close(fd);
          },
        },
      },
    );
    expect(calls).toEqual([
      { code: 'EBUSY', attempt: 1 },
      { code: 'EBUSY', attempt: 2 },
    ]);
    expect(dmsetupInfo(name)).toBeUndefined();
  });

  it('retry: gives up after `attempts` with EBUSY, having waited delayMs × backoff between tries', () => {
    const { name } = heldDevice('retry-fail');
    const attempts: number[] = [];
    const started = performance.now();
    const error = catchDmError(() =>
      dm.remove({ name }, { retry: { attempts: 4, delayMs: 20, backoff: 2, onRetry: (_, attempt) => attempts.push(attempt) } }),
    );
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'EBUSY', command: 'DEV_REMOVE', operation: 'remove' });
    expect(attempts).toEqual([1, 2, 3]);
    // 20 + 40 + 80 ms of sleeping.
    expect(elapsed).toBeGreaterThanOrEqual(135);
    expect(dmsetupInfo(name)?.open).toBe(1);
  });

  it('retry does not retry other errors (ENXIO at once)', () => {
    const attempts: number[] = [];
    const error = catchDmError(() =>
      dm.remove({ name: names.of('missing') }, { retry: { attempts: 5, delayMs: 1000, onRetry: (_, a) => attempts.push(a) } }),
    );
    expect(error).toMatchObject({ code: 'ENXIO', command: 'DEV_REMOVE' });
    expect(attempts).toEqual([]);
  });

  it('removeAsync, with retry, frees the event loop while it waits', async () => {
    const { name, fd } = heldDevice('async');
    const attempts: number[] = [];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      await dm.removeAsync(
        { name },
        {
          retry: {
            attempts: 10,
            delayMs: 50,
            onRetry: (_, attempt) => {
              attempts.push(attempt);
              if (attempt === 2) openers.close(fd);
            },
          },
        },
      );
    } finally {
      clearInterval(ticker);
    }
    expect(attempts).toEqual([1, 2]);
    expect(ticks).toBeGreaterThan(3);
    expect(dmsetupInfo(name)).toBeUndefined();
  });

  it('removeAsync of a busy device rejects with EBUSY', async () => {
    const { name } = heldDevice('async-busy');
    const error = await catchDmErrorAsync(dm.removeAsync({ name }));
    expect(error).toMatchObject({ code: 'EBUSY', command: 'DEV_REMOVE', operation: 'remove' });
  });
});

describe('deferred remove', () => {
  it('an open device is marked for removal and goes when its last user closes it', async () => {
    const { name, fd } = heldDevice('deferred');
    dm.remove({ name }, { deferred: true });
    expect(dm.info({ name })).toMatchObject({ deferredRemove: true, openCount: 1 });
    expect(dmsetup('info', name)).toMatch(/^State: +ACTIVE \(DEFERRED REMOVE\)$/m);
    openers.close(fd);
    // The kernel removes it from a work queue queued by the last close.
    expect(await eventually(() => dm.tryInfo({ name }) === undefined)).toBe(true);
    expect(dmsetupInfo(name)).toBeUndefined();
  });

  it('a device nobody uses is removed at once', () => {
    const name = names.of('deferred-unused');
    dm.createDevice(name, zeroTable(2048));
    dm.remove({ name }, { deferred: true });
    expect(dmsetupInfo(name)).toBeUndefined();
  });

  it('cancelDeferredRemove keeps the device after its last user closes it', () => {
    const { name, fd } = heldDevice('cancel');
    dm.remove({ name }, { deferred: true });
    expect(dm.info({ name }).deferredRemove).toBe(true);
    dm.cancelDeferredRemove({ name });
    expect(dm.info({ name }).deferredRemove).toBe(false);
    expect(dmsetup('info', name)).toMatch(/^State: +ACTIVE$/m);
    openers.close(fd);
    expect(dm.info({ name })).toMatchObject({ deferredRemove: false, openCount: 0 });
    expect(dmsetupInfo(name)).toMatchObject({ open: 0, live: true });
  });

  it('removeAll removes the unused devices and, with deferred, marks the open ones', async () => {
    const { name: held, fd } = heldDevice('all-held');
    dm.createDevice(names.of('all-free'), zeroTable(2048));
    dm.create(names.of('all-notable'));
    dm.removeAll({ deferred: true });
    expect(dmsetupDevices(names.prefix).map((device) => device.name)).toEqual([held]);
    expect(dm.info({ name: held }).deferredRemove).toBe(true);
    openers.close(fd);
    expect(await eventually(() => dm.tryInfo({ name: held }) === undefined)).toBe(true);
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });

  it('removeAll without deferred leaves an open device alone', () => {
    const { name: held } = heldDevice('all-busy');
    dm.createDevice(names.of('all-other'), zeroTable(2048));
    dm.removeAll();
    expect(dmsetupDevices(names.prefix).map((device) => device.name)).toEqual([held]);
    expect(dm.info({ name: held }).deferredRemove).toBe(false);
  });
});
