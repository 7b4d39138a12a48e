/**
 * Device handles driven by a scripted transport: every request after the first is addressed by
 * device number; a rename seen in a reply is followed (a device with a uuid keeps its identity);
 * a number now held by another device is refused (ESTALE) before anything is sent to it; a
 * removed device gives ENXIO and then nothing is sent at all; disposal removes, deferred when
 * busy. The VM tests (test/vm/toolkit-handles.test.ts) show the same against the kernel.
 */
import { describe, expect, it } from 'vitest';
import { DmFlag } from '../../../native-defs/index.js';
import { DeviceMapper, DmError, deviceHandle } from '../../../lib/index.js';
import { answer, ScriptedTransport, type Answer } from '../../helpers/scripted-transport.js';
import { caught as failure } from '../../helpers/dm-error.js';

const EBUSY = 16;
const ENXIO = 6;
const DEV = BigInt(253 << 8) | 4n;

function open(script: Answer[]) {
  const transport = new ScriptedTransport(script);
  return { dm: DeviceMapper.open({ nodes: false, ensureTargets: false, transport }), transport };
}

const device = (name: string, uuid = '', flags = DmFlag.ACTIVE_PRESENT): Answer => answer.ok({ name, uuid, dev: DEV, flags });

describe('a device handle, scripted', () => {
  it('resolves once by name, then addresses the device by number', () => {
    const { dm, transport } = open([device('a'), device('a'), device('a', '', DmFlag.SUSPEND)]);
    const handle = deviceHandle(dm, { name: 'a' });
    expect(handle.dev).toEqual({ major: 253, minor: 4 });
    handle.suspend();
    const sent = transport.requests.filter((r) => r.command !== 'VERSION');
    expect(sent.map((r) => [r.command, r.name, r.dev])).toEqual([
      ['DEV_STATUS', 'a', 0n],
      ['DEV_STATUS', '', DEV],
      ['DEV_SUSPEND', '', DEV],
    ]);
  });

  it('follows a rename made through it, and one made elsewhere of a device with a uuid', () => {
    const { dm } = open([device('a', 'U-1'), device('a', 'U-1'), device('b', 'U-1'), device('c', 'U-1')]);
    const handle = deviceHandle(dm, { uuid: 'U-1' });
    handle.rename('b');
    expect(handle.name).toBe('b');
    expect(handle.info().name).toBe('c');
    expect(handle.toString()).toBe('c (253:4)');
  });

  it('refuses (ESTALE) a number now held by another device, before sending it the verb', () => {
    const { dm, transport } = open([device('a', 'U-1'), device('z', 'U-2')]);
    const handle = deviceHandle(dm, { name: 'a' });
    const error = failure(() => handle.remove());
    expect(error).toMatchObject({ code: 'ESTALE', kind: 'invalid-argument' });
    expect(error.summary).toBe('The device a (253:4) this handle addressed is gone: 253:4 is now z (uuid U-2)');
    expect(transport.commands).not.toContain('DEV_REMOVE');
  });

  it('a device without uuid is the same while its name is (no sysfs node on this host to tell a rename from a replacement)', () => {
    const { dm } = open([device('a'), device('a'), device('other')]);
    const handle = deviceHandle(dm, { name: 'a' });
    expect(handle.info().name).toBe('a');
    expect(failure(() => handle.info()).code).toBe('ESTALE');
  });

  it('a removed device: ENXIO that says so, then refusal without any ioctl', () => {
    const { dm, transport } = open([device('a'), answer.errno(ENXIO), answer.errno(ENXIO)]);
    const handle = deviceHandle(dm, { name: 'a' });
    const error = failure(() => handle.table());
    expect(error).toMatchObject({ code: 'ENXIO', kind: 'ioctl' });
    expect(error.message).toMatch(/^device-mapper: the device a \(253:4\) was removed: the handle addressed it by number/);
    const sent = transport.requests.length;
    expect(failure(() => handle.resume())).toMatchObject({ code: 'ENXIO', kind: 'invalid-argument' });
    expect(transport.requests.length).toBe(sent);
    expect(handle.removed).toBe(true);
  });

  it('disposal removes the device; a busy one is removed deferred', async () => {
    const plain = open([device('a'), device('a'), device('a')]);
    {
      using handle = deviceHandle(plain.dm, { name: 'a' });
      expect(handle.name).toBe('a');
    }
    expect(plain.transport.commands).toEqual(['DEV_STATUS', 'DEV_STATUS', 'DEV_REMOVE']);

    const busy = open([device('a'), device('a'), answer.errno(EBUSY), device('a')]);
    {
      await using handle = deviceHandle(busy.dm, { name: 'a' });
      expect(handle.removed).toBe(false);
    }
    const removes = busy.transport.requests.filter((r) => r.command === 'DEV_REMOVE');
    expect(removes.map((r) => (r.flags & DmFlag.DEFERRED_REMOVE) !== 0)).toEqual([false, true]);
  });

  it('disposal of a device removed already does nothing', () => {
    const { dm, transport } = open([device('a'), device('a'), device('a')]);
    const handle = deviceHandle(dm, { name: 'a' });
    handle.remove();
    handle[Symbol.dispose]();
    expect(transport.commands).toEqual(['DEV_STATUS', 'DEV_STATUS', 'DEV_REMOVE']);
  });
});
