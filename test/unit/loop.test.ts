/**
 * LoopDevice's logic on the host, over a scripted loop driver (test/helpers/fake-loop-host.ts):
 * the ioctl sequence of each path, the fallback when LOOP_CONFIGURE is refused, the race for a
 * free device, the checks on options, the loop_info64 bytes, and no fd left open on any path.
 * What the real kernel does with all this is proven in test/vm/loop.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { LoopFlag, LoopInfo64Layout } from '../../native-defs/index.js';
import { DmError } from '../../lib/errors.js';
import { LoopDevice } from '../../lib/host/loop.js';
import { decodeLoopInfo, loopConfigBuffer, loopInfoBuffer } from '../../lib/host/loop-info.js';
import { FakeLoopHost } from '../helpers/fake-loop-host.js';

function thrown(fn: () => unknown): DmError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DmError);
    return error as DmError;
  }
  throw new Error('expected a DmError');
}

describe('attach with LOOP_CONFIGURE', () => {
  it('asks loop-control for a free device, binds it in one ioctl, and keeps only the device fd open', () => {
    const host = new FakeLoopHost();
    const loop = LoopDevice.attachWith(host, '/img/a.img', { offset: 4096, sizeLimit: 1 << 20, partscan: true, autoClear: true });
    expect(loop.path).toBe('/dev/loop0');
    expect(loop.index).toBe(0);
    expect(loop.dev).toEqual({ major: 7, minor: 0 });
    expect(loop.method).toBe('configure');
    expect(host.ioctlNames()).toEqual(['LOOP_CTL_GET_FREE', 'LOOP_CONFIGURE']);
    expect(host.openFds()).toEqual(['/dev/loop0']);
    expect(host.devices[0]).toMatchObject({ file: '/img/a.img', offset: 4096n, sizeLimit: 1048576n, flags: LoopFlag.PARTSCAN | LoopFlag.AUTOCLEAR, name: '/img/a.img' });
    expect(loop.info()).toMatchObject({ backingFile: '/img/a.img', offset: 4096, sizeLimit: 1048576, partscan: true, autoClear: true, readOnly: false, directIo: false });
    expect(loop.detach()).toBe('detached');
    expect(host.devices[0]).toBeUndefined();
    expect(host.openFds()).toEqual([]);
  });

  it('readOnly opens the file and the device O_RDONLY and asks for LO_FLAGS_READ_ONLY', () => {
    const host = new FakeLoopHost();
    const loop = LoopDevice.attachWith(host, '/img/a.img', { readOnly: true, directIo: true });
    expect(host.devices[0]?.flags).toBe(LoopFlag.READ_ONLY | LoopFlag.DIRECT_IO);
    expect([...host.open_.values()]).toEqual([{ path: '/dev/loop0', flags: 0 }]);
    loop.detach();
  });

  it('a device another process bound between GET_FREE and CONFIGURE (EBUSY) is given up for a new free one', () => {
    const host = new FakeLoopHost();
    let raced = false;
    host.intercept = (call) => {
      if (call.name === 'LOOP_CTL_GET_FREE' && !raced) {
        raced = true;
        host.devices[0] = { fileFd: -1, file: '/other', offset: 0n, sizeLimit: 0n, flags: 0, name: '/other' };
        return 0; // the index that was free a moment ago
      }
      return undefined;
    };
    const loop = LoopDevice.attachWith(host, '/img/a.img');
    expect(loop.path).toBe('/dev/loop1');
    expect(loop.busyRetries).toBe(1);
    expect(host.ioctlNames()).toEqual(['LOOP_CTL_GET_FREE', 'LOOP_CONFIGURE', 'LOOP_CTL_GET_FREE', 'LOOP_CONFIGURE']);
    expect(host.openFds()).toEqual(['/dev/loop1']);
    expect(host.devices[0]?.file).toBe('/other'); // the winner's binding is untouched
    loop.detach();
  });

  it('a race lost every time ends in EBUSY after 32 devices, with every fd closed', () => {
    const host = new FakeLoopHost();
    host.intercept = (call) => (call.name === 'LOOP_CONFIGURE' ? -16 : undefined);
    const error = thrown(() => LoopDevice.attachWith(host, '/img/a.img'));
    expect(error).toMatchObject({ kind: 'loop', code: 'EBUSY', errno: 16 });
    expect(error.message).toContain('/img/a.img');
    expect(host.ioctlNames().filter((n) => n === 'LOOP_CONFIGURE')).toHaveLength(32);
    expect(host.openFds()).toEqual([]);
  });

  it('direct I/O the kernel silently dropped is refused (EINVAL) and the device unbound', () => {
    const host = new FakeLoopHost();
    host.directIoWorks = false;
    const error = thrown(() => LoopDevice.attachWith(host, '/img/a.img', { directIo: true }));
    expect(error).toMatchObject({ kind: 'loop', code: 'EINVAL' });
    expect(error.message).toMatch(/^Cannot attach \/img\/a\.img to \/dev\/loop0 with direct I\/O: Invalid argument: .*O_DIRECT/);
    expect(host.ioctlNames()).toEqual(['LOOP_CTL_GET_FREE', 'LOOP_CONFIGURE', 'LOOP_GET_STATUS64', 'LOOP_CLR_FD']);
    expect(host.devices[0]).toBeUndefined();
    expect(host.openFds()).toEqual([]);
  });

  it('another errno from CONFIGURE is reported, naming the file and the device, with nothing left open', () => {
    const host = new FakeLoopHost();
    host.intercept = (call) => (call.name === 'LOOP_CONFIGURE' ? -1 : undefined);
    const error = thrown(() => LoopDevice.attachWith(host, '/img/a.img'));
    expect(error).toMatchObject({ kind: 'loop', code: 'EPERM', errno: 1, hint: expect.stringContaining('root') });
    expect(error.message).toContain('Cannot attach /img/a.img to /dev/loop0: LOOP_CONFIGURE failed: Operation not permitted');
    expect(host.ioctlNames()).not.toContain('LOOP_SET_FD');
    expect(host.openFds()).toEqual([]);
  });
});

describe('the legacy path: LOOP_SET_FD + LOOP_SET_STATUS64', () => {
  it.each([
    ['EINVAL', -22],
    ['ENOTTY', -25],
  ])('a kernel that answers LOOP_CONFIGURE with %s gets the two-step path', (_, errno) => {
    const host = new FakeLoopHost();
    host.intercept = (call) => (call.name === 'LOOP_CONFIGURE' ? errno : undefined);
    const loop = LoopDevice.attachWith(host, '/img/a.img', { offset: 512, autoClear: true, partscan: true, directIo: true, readOnly: true });
    expect(loop.method).toBe('set-fd');
    expect(host.ioctlNames()).toEqual(['LOOP_CTL_GET_FREE', 'LOOP_CONFIGURE', 'LOOP_SET_FD', 'LOOP_SET_STATUS64', 'LOOP_SET_DIRECT_IO']);
    // SET_STATUS64 carries only the flags it can set; read-only comes from the O_RDONLY fds.
    const status = host.calls[3]!.arg as Buffer;
    expect(status.readUInt32LE(LoopInfo64Layout.lo_flags)).toBe(LoopFlag.AUTOCLEAR | LoopFlag.PARTSCAN);
    expect(host.devices[0]).toMatchObject({ offset: 512n, flags: LoopFlag.AUTOCLEAR | LoopFlag.PARTSCAN | LoopFlag.DIRECT_IO });
    expect(host.openFds()).toEqual(['/dev/loop0']);
    loop.detach();
  });

  it("method 'set-fd' skips LOOP_CONFIGURE altogether", () => {
    const host = new FakeLoopHost();
    const loop = LoopDevice.attachWith(host, '/img/a.img', { method: 'set-fd' });
    expect(loop.method).toBe('set-fd');
    expect(host.ioctlNames()).toEqual(['LOOP_CTL_GET_FREE', 'LOOP_SET_FD', 'LOOP_SET_STATUS64']);
    loop.detach();
  });

  it('EBUSY from LOOP_SET_FD also moves on to a new free device', () => {
    const host = new FakeLoopHost();
    let raced = false;
    host.intercept = (call) => (call.name === 'LOOP_SET_FD' && !raced ? ((raced = true), -16) : undefined);
    const loop = LoopDevice.attachWith(host, '/img/a.img', { method: 'set-fd' });
    expect(loop.busyRetries).toBe(1);
    expect(host.openFds()).toEqual([`/dev/loop${loop.index}`]);
    loop.detach();
  });

  it.each(['LOOP_SET_STATUS64', 'LOOP_SET_DIRECT_IO'])('a failed %s unbinds the device again and closes every fd', (failing) => {
    const host = new FakeLoopHost();
    host.intercept = (call) => (call.name === failing ? -22 : undefined);
    const error = thrown(() => LoopDevice.attachWith(host, '/img/a.img', { method: 'set-fd', directIo: true }));
    expect(error).toMatchObject({ kind: 'loop', code: 'EINVAL' });
    expect(error.message).toContain('/img/a.img to /dev/loop0');
    expect(host.ioctlNames().at(-1)).toBe('LOOP_CLR_FD');
    expect(host.devices[0]).toBeUndefined();
    expect(host.openFds()).toEqual([]);
  });
});

describe('refusals before any ioctl', () => {
  it.each([
    [{ offset: -1 }, /offset must be a whole number of bytes/],
    [{ offset: 1.5 }, /offset must be a whole number of bytes/],
    [{ offset: 1n << 63n }, /offset must be a whole number of bytes/],
    [{ sizeLimit: 1000 }, /sizeLimit must be a multiple of 512 bytes \(got 1000\)/],
    [{ readOnly: 'yes' }, /readOnly must be true or false/],
    [{ method: 'configure' }, /method must be 'auto' or 'set-fd'/],
  ])('%o', (options, message) => {
    const host = new FakeLoopHost();
    const error = thrown(() => LoopDevice.attachWith(host, '/img/a.img', options as never));
    expect(error).toMatchObject({ kind: 'invalid-argument', code: 'EINVAL' });
    expect(error.message).toMatch(message);
    expect(host.calls).toEqual([]);
    expect(host.openFds()).toEqual([]);
  });

  it.each(['', 'a\0b', 7])('the file %o', (file) => {
    const error = thrown(() => LoopDevice.attachWith(new FakeLoopHost(), file as string));
    expect(error.kind).toBe('invalid-argument');
  });

  it('a directory is refused after its fd is closed; a missing file is ENOENT naming it', () => {
    const host = new FakeLoopHost();
    expect(thrown(() => LoopDevice.attachWith(host, '/img/dir'))).toMatchObject({ kind: 'invalid-argument', message: expect.stringContaining('/img/dir') });
    expect(thrown(() => LoopDevice.attachWith(host, '/img/none'))).toMatchObject({ kind: 'loop', code: 'ENOENT', message: expect.stringContaining('/img/none') });
    expect(host.calls).toEqual([]);
    expect(host.openFds()).toEqual([]);
  });

  it('no free device (GET_FREE fails) names the file and closes everything', () => {
    const host = new FakeLoopHost();
    host.intercept = (call) => (call.name === 'LOOP_CTL_GET_FREE' ? -28 : undefined);
    expect(thrown(() => LoopDevice.attachWith(host, '/img/a.img'))).toMatchObject({ kind: 'loop', code: 'ENOSPC', message: expect.stringContaining('/img/a.img') });
    expect(host.openFds()).toEqual([]);
  });
});

describe('detach, close, open', () => {
  it("detach is 'deferred' while someone else holds the device (the kernel unbinds it lazily)", () => {
    const host = new FakeLoopHost();
    const loop = LoopDevice.attachWith(host, '/img/a.img');
    host.intercept = (call) => (call.name === 'LOOP_CLR_FD' ? 0 : undefined); // bound until the last close
    expect(loop.detach()).toBe('deferred');
    expect(loop.closed).toBe(true);
    expect(host.openFds()).toEqual([]);
  });

  it('a device rebound to another file meanwhile is left alone', () => {
    const host = new FakeLoopHost();
    const loop = LoopDevice.attachWith(host, '/img/a.img');
    loop.close();
    host.devices[0] = undefined; // detached by someone else, then taken for another file
    host.intercept = (call) => {
      if (call.name !== 'LOOP_GET_STATUS64') return undefined;
      (call.arg as Buffer).writeBigUInt64LE(99n, LoopInfo64Layout.lo_inode);
      return 0;
    };
    expect(loop.detach()).toBe('detached');
    expect(host.ioctlNames()).not.toContain('LOOP_CLR_FD');
    expect(host.openFds()).toEqual([]);
  });

  it('after close() the device stays bound; detach() then reopens the node and unbinds it; dispose detaches', () => {
    const host = new FakeLoopHost();
    const loop = LoopDevice.attachWith(host, '/img/a.img');
    loop.close();
    expect(host.devices[0]).toBeDefined();
    expect(loop.info().backingFile).toBe('/img/a.img');
    expect(loop.detach()).toBe('detached');
    expect(host.devices[0]).toBeUndefined();
    {
      using scoped = LoopDevice.attachWith(host, '/img/a.img');
      expect(host.devices[scoped.index]).toBeDefined();
    }
    expect(host.devices.every((d) => d === undefined)).toBe(true);
    expect(host.openFds()).toEqual([]);
  });

  it('open() takes over a bound device by path; info() of an unbound one is ENXIO naming it', () => {
    const host = new FakeLoopHost();
    LoopDevice.attachWith(host, '/img/a.img').close();
    const taken = LoopDevice.openWith(host, '/dev/loop0');
    expect(taken.info().backingFile).toBe('/img/a.img');
    expect(taken.detach()).toBe('detached');
    const idle = LoopDevice.openWith(host, '/dev/loop2');
    expect(thrown(() => idle.info())).toMatchObject({ kind: 'loop', code: 'ENXIO', message: expect.stringContaining('/dev/loop2') });
    host.devices[2] = { fileFd: -1, file: '/other', offset: 0n, sizeLimit: 0n, flags: 0, name: '/other' }; // bound by someone after our open
    const before = host.calls.length;
    expect(idle.detach()).toBe('detached');
    expect(host.ioctlNames().slice(before)).not.toContain('LOOP_CLR_FD'); // theirs, left alone
    expect(host.devices[2]?.file).toBe('/other');
    host.files.set('/dev/null', 0o020000);
    expect(thrown(() => LoopDevice.openWith(host, '/dev/null'))).toMatchObject({ kind: 'invalid-argument', message: '/dev/null is not a loop device' });
    expect(host.openFds()).toEqual([]);
  });
});

describe('struct loop_info64 and loop_config bytes', () => {
  it('round trip, with the file name cut to 63 bytes and NUL-terminated', () => {
    const long = `/${'x'.repeat(100)}`;
    const info = loopInfoBuffer({ offset: 1n << 40n, sizeLimit: 512n, flags: LoopFlag.PARTSCAN, fileName: long });
    expect(info).toHaveLength(LoopInfo64Layout.size);
    expect(info[LoopInfo64Layout.lo_file_name + 63]).toBe(0);
    expect(decodeLoopInfo(info)).toMatchObject({ offset: 1n << 40n, sizeLimit: 512n, flags: LoopFlag.PARTSCAN, fileName: long.slice(0, 63) });
    const config = loopConfigBuffer(9, { offset: 0n, sizeLimit: 0n, flags: 0, fileName: 'f' });
    expect(config.readUInt32LE(0)).toBe(9);
    expect(config.subarray(240).every((b) => b === 0)).toBe(true); // __reserved must be zero
  });
});
