/**
 * The udev node keeper's transaction when an async operation is cancelled between its ioctl and
 * its udev wait (the AbortSignal fired while the ioctl ran): the wait step is never performed, so
 * the keeper must end the transaction itself, at once, or a cookie's semaphore would stay for
 * good (udev's rule takes back only udev's own reference). Driven through DmIoctl with a scripted
 * transport and a recording UdevSync; the semaphores themselves are the VM's udev tests.
 */
import { describe, expect, it } from 'vitest';
import { DmIoctl, NameCodec } from '../../lib/index.js';
import { UdevNodeKeeper } from '../../lib/host/udev-node-keeper.js';
import type { DeviceNodes } from '../../lib/host/nodes.js';
import type { UdevSync, UdevWaitResult } from '../../lib/udev/sync.js';
import { answer, ScriptedTransport } from '../helpers/scripted-transport.js';
import { rejected } from '../helpers/dm-error.js';

/** A UdevSync that records each call. */
function recordingSync(calls: string[]): UdevSync {
  const done = (timeoutMs?: number): UdevWaitResult => (calls.push(`wait ${timeoutMs}`), { outcome: 'completed', cookie: 1 });
  return {
    mode: 'cookie',
    begin: (command) => (calls.push(`begin ${command}`), 0x0d4d0001),
    end: () => void calls.push('end'),
    cancel: () => void calls.push('cancel'),
    waitSync: done,
    wait: async (timeoutMs) => done(timeoutMs),
  };
}

function handle(calls: string[], transport: ScriptedTransport): DmIoctl {
  const fallback = { add: () => {}, remove: () => {}, rename: () => {}, whatIsWrong: () => undefined } as unknown as DeviceNodes;
  const keeper = new UdevNodeKeeper(recordingSync(calls), fallback, { timeoutMs: 5000, warn: (line) => calls.push(`warn ${line}`) });
  return new DmIoctl(3, { transport, names: new NameCodec('none'), transactions: keeper.transactions });
}

const RESUME = { command: 'DEV_SUSPEND', operation: 'resume', device: { name: 'a' } } as const;

describe('a udev transaction cancelled between its ioctl and its wait', () => {
  it('is ended at once (a wait of 0 ms, which removes the semaphore), and the caller gets ECANCELED', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const transport = new ScriptedTransport([
      (request, buffer) => {
        controller.abort(); // while the resume's ioctl is under way
        return answer.device('a')(request, buffer);
      },
    ]);
    const ioctl = handle(calls, transport);
    ioctl.driverVersion();
    const error = await rejected(ioctl.runAsync(RESUME, () => 'resumed', controller.signal));
    expect(error).toMatchObject({ kind: 'cancelled', code: 'ECANCELED' });
    expect(calls).toEqual(['begin resume', 'end', 'wait 0']);
  });

  it('not cancelled: waits with the handle\'s time-out, once', async () => {
    const calls: string[] = [];
    const ioctl = handle(calls, new ScriptedTransport([answer.device('a')]));
    expect(await ioctl.runAsync(RESUME, () => 'resumed')).toBe('resumed');
    expect(calls).toEqual(['begin resume', 'end', 'wait 5000']);
  });
});
