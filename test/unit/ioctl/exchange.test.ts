/**
 * The exchange loop and the multi-step verbs driven by a scripted transport: every branch of the
 * library's own logic (buffer growth, the cap, EBUSY retry, malformed replies, the driver check,
 * close during an operation), with no kernel. The VM tests show the kernel answers so.
 */
import { describe, expect, it } from 'vitest';
import { DmFlag, DmIoctlLayout as H } from '../../../native-defs/index.js';
import { DeviceMapper, DmError, type DeviceMapperOptions } from '../../../lib/index.js';
import { answer, ScriptedTransport, writeHeader, type Answer } from '../../helpers/scripted-transport.js';
import { caught, rejected } from '../../helpers/dm-error.js';

const EBUSY = 16;
const EINTR = 4;
const ENXIO = 6;

function open(script: Answer[], options: DeviceMapperOptions & { driver?: [number, number, number] } = {}) {
  const transport = new ScriptedTransport(script, options.driver ? { driver: options.driver } : {});
  const dm = DeviceMapper.open({ nodes: false, ensureTargets: false, ...options, transport });
  return { dm, transport };
}

/** BUFFER_FULL until the buffer has `size` bytes, then the names. */
function namesOnceRoom(size: number, names: string[]): Answer[] {
  const script: Answer[] = [];
  for (let room = 16 * 1024; room < size; room *= 2) script.push(answer.bufferFull());
  script.push(answer.names(names));
  return script;
}

describe('the exchange loop, scripted', () => {
  it('grows the buffer from 16 KiB across several BUFFER_FULL replies, and starts there next time', () => {
    const { dm, transport } = open([...namesOnceRoom(128 * 1024, ['a', 'b']), answer.names(['a', 'b'])]);
    expect(dm.list({ uuids: false }).map((d) => d.name)).toEqual(['a', 'b']);
    const sizes = transport.requests.filter((r) => r.command === 'LIST_DEVICES').map((r) => r.size);
    expect(sizes).toEqual([16384, 32768, 65536, 131072]);
    dm.list({ uuids: false });
    expect(transport.requests.at(-1)!.size).toBe(131072);
    expect(transport.remaining).toBe(0);
  });

  it('stops at the buffer cap with ENOBUFS (kind protocol) instead of growing past it', () => {
    const { dm, transport } = open(namesOnceRoom(1024 * 1024, ['a']), { maxBufferSize: 64 * 1024 });
    const error = caught(() => dm.list({ uuids: false }));
    expect(error).toMatchObject({ code: 'ENOBUFS', errno: 105, kind: 'protocol', command: 'LIST_DEVICES' });
    expect(transport.requests.filter((r) => r.command === 'LIST_DEVICES').map((r) => r.size)).toEqual([16384, 32768, 65536]);
  });

  it('does not resend a command whose reply cannot grow, whatever its flags say', () => {
    const { dm, transport } = open([answer.ok({ name: 'a', flags: DmFlag.BUFFER_FULL })]);
    expect(dm.info({ name: 'a' }).name).toBe('a');
    expect(transport.commands).toEqual(['DEV_STATUS']);
  });

  it('retries EBUSY by the policy, calling onRetry each time, and gives up after the last attempt', async () => {
    const retries: number[] = [];
    const policy = { attempts: 3, delayMs: 1, onRetry: (_: DmError, attempt: number) => retries.push(attempt) };
    const busyThenGone = (): Answer[] => [answer.errno(EBUSY), answer.errno(EBUSY), answer.device('a')];
    const sync = open(busyThenGone());
    sync.dm.remove({ name: 'a' }, { retry: policy });
    expect(sync.transport.commands).toEqual(['DEV_REMOVE', 'DEV_REMOVE', 'DEV_REMOVE']);
    expect(retries).toEqual([1, 2]);

    const alwaysBusy = open([answer.errno(EBUSY), answer.errno(EBUSY), answer.errno(EBUSY)]);
    const error = await rejected(alwaysBusy.dm.removeAsync({ name: 'a' }, { retry: { attempts: 3, delayMs: 1 } }));
    expect(error).toMatchObject({ code: 'EBUSY', errno: EBUSY, kind: 'ioctl', command: 'DEV_REMOVE' });
    expect(error.hint).toMatch(/in use/);
    expect(alwaysBusy.transport.commands).toHaveLength(3);
  });

  it('does not retry an error other than EBUSY', () => {
    const { dm, transport } = open([answer.errno(ENXIO)]);
    expect(caught(() => dm.remove({ name: 'a' }, { retry: true }))).toMatchObject({ code: 'ENXIO' });
    expect(transport.commands).toEqual(['DEV_REMOVE']);
  });

  it('reports EINTR as a typed error with its hint', () => {
    const { dm } = open([answer.errno(EINTR)]);
    const error = caught(() => dm.waitEvent({ name: 'a' }, 3));
    expect(error).toMatchObject({ code: 'EINTR', command: 'DEV_WAIT', operation: 'waitevent', hint: 'the wait was interrupted' });
    expect(error.summary).toBe('device-mapper: waitevent ioctl on a failed: Interrupted system call');
    expect(error.message).toBe(`${error.summary}: the wait was interrupted`);
  });

  const outside: Array<[string, Answer, (dm: DeviceMapper) => unknown]> = [
    ['a device list starting past the buffer', answer.ok({ dataStart: 1 << 30, dataSize: 1 << 30 }), (dm) => dm.list({ uuids: false })],
    ['a target list past the buffer', answer.ok({ dataStart: 1 << 30, dataSize: 1 << 30, targetCount: 1 }), (dm) => dm.table({ name: 'a' })],
    ['a dependency list past the buffer', answer.ok({ dataStart: 20000, dataSize: 1 << 30 }), (dm) => dm.deps({ name: 'a' })],
    ['a version list past data_size', answer.ok({ dataStart: H.size, dataSize: H.size + 4 }), (dm) => dm.targets()],
    ['a message reply with no NUL', (_, buffer) => {
      buffer.fill(0x41, H.size);
      writeHeader(buffer, { flags: DmFlag.DATA_OUT, dataStart: H.size, dataSize: buffer.length });
      return 0;
    }, (dm) => dm.message({ name: 'a' }, 0, 'hi')],
    ['a target count larger than the targets sent', (request, buffer) => {
      answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }])(request, buffer);
      writeHeader(buffer, { targetCount: 5 });
      return 0;
    }, (dm) => dm.status({ name: 'a' })],
  ];
  it.each(outside)('turns %s into a typed DmError (EPROTO), never a RangeError', (_, reply, call) => {
    const { dm } = open([reply]);
    expect(caught(() => call(dm))).toMatchObject({ kind: 'protocol', code: 'EPROTO' });
  });

  it('refuses a driver of another major version, and a command the driver is too old for, before sending it', () => {
    const five = open([], { driver: [5, 0, 0] });
    expect(caught(() => five.dm.info({ name: 'a' }))).toMatchObject({ kind: 'unsupported', code: 'ENOTSUP', command: 'VERSION' });
    expect(five.transport.commands).toEqual([]);

    const old = open([], { driver: [4, 40, 0] });
    const error = caught(() => old.dm.targetVersion('zero'));
    expect(error).toMatchObject({ kind: 'unsupported', code: 'ENOTSUP', command: 'GET_TARGET_VERSION' });
    expect(error.message).toMatch(/needs device-mapper interface 4\.41\.0 or newer; the driver is 4\.40\.0/);
    expect(old.transport.commands).toEqual([]);
  });

  it('asks the driver version once per handle, and sends each command with its oldest version', () => {
    const { dm, transport } = open([answer.device('a'), answer.device('a'), answer.ok()]);
    dm.info({ name: 'a' });
    dm.info({ name: 'a' });
    dm.armPoll();
    expect(transport.requests.map((r) => r.command)).toEqual(['VERSION', 'DEV_STATUS', 'DEV_STATUS', 'DEV_ARM_POLL']);
    expect(transport.requests[1]!.version).toEqual([4, 0, 0]);
    expect(transport.requests[3]!.version).toEqual([4, 36, 0]);
  });

  it('refuses flags a command does not take before anything is sent', () => {
    const { dm, transport } = open([]);
    expect(caught(() => dm.ioctl.run({ command: 'TABLE_CLEAR', operation: 'clear', flags: DmFlag.UUID }, () => 0))).toMatchObject({
      kind: 'invalid-argument',
      code: 'EINVAL',
    });
    expect(transport.requests).toEqual([]);
  });
});

describe('sync and async forms, scripted', () => {
  /** The same script through both forms of each verb: the same requests and the same results. */
  const cases: Array<[string, () => Answer[], (dm: DeviceMapper) => unknown, (dm: DeviceMapper) => Promise<unknown>]> = [
    ['remove with retry', () => [answer.errno(EBUSY), answer.device('a')],
      (dm) => dm.remove({ name: 'a' }, { retry: { delayMs: 1 } }), (dm) => dm.removeAsync({ name: 'a' }, { retry: { delayMs: 1 } })],
    ['resume', () => [answer.device('a')], (dm) => dm.resume({ name: 'a' }), (dm) => dm.resumeAsync({ name: 'a' })],
    ['suspend', () => [answer.device('a', 0, DmFlag.SUSPEND)], (dm) => dm.suspend({ name: 'a' }), (dm) => dm.suspendAsync({ name: 'a' })],
    ['createDevice', () => [answer.device('a', 4, 0), answer.device('a', 4, DmFlag.INACTIVE_PRESENT), answer.device('a', 4)],
      (dm) => dm.createDevice('a', [{ start: 0, length: 8, type: 'zero', params: '' }]),
      (dm) => dm.createDeviceAsync('a', [{ start: 0, length: 8, type: 'zero', params: '' }])],
    ['createDevice taken back after a failed load', () => [answer.device('a', 4, 0), answer.errno(22), answer.device('a', 4, 0)],
      (dm) => dm.createDevice('a', [{ start: 0, length: 8, type: 'zero', params: '' }]),
      (dm) => dm.createDeviceAsync('a', [{ start: 0, length: 8, type: 'zero', params: '' }])],
    ['status', () => [answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }])],
      (dm) => dm.status({ name: 'a' }), (dm) => dm.statusAsync({ name: 'a' })],
    ['info', () => [answer.device('a')], (dm) => dm.info({ name: 'a' }), (dm) => dm.infoAsync({ name: 'a' })],
  ];

  const outcome = (run: () => unknown): unknown => {
    try {
      return { value: run() };
    } catch (error) {
      return { error: (error as DmError).message, code: (error as DmError).code };
    }
  };
  const outcomeLater = async (run: () => Promise<unknown>): Promise<unknown> => {
    try {
      return { value: await run() };
    } catch (error) {
      return { error: (error as DmError).message, code: (error as DmError).code };
    }
  };

  it.each(cases)('%s: the same requests and the same result', async (_, script, sync, later) => {
    const a = open(script());
    const b = open(script());
    const syncResult = outcome(() => sync(a.dm));
    const asyncResult = await outcomeLater(() => later(b.dm));
    expect(asyncResult).toEqual(syncResult);
    expect(b.transport.requests).toEqual(a.transport.requests);
    expect(a.transport.remaining).toBe(0);
  });
});

describe('close, scripted', () => {
  it('refuses every call after close() without sending anything', async () => {
    const { dm, transport } = open([]);
    dm.close();
    expect(caught(() => dm.info({ name: 'a' }))).toMatchObject({ code: 'EBADF', kind: 'invalid-argument' });
    expect(caught(() => dm.ioctl.run({ command: 'DEV_STATUS', operation: 'info', device: { name: 'a' } }, () => 0))).toMatchObject({
      code: 'EBADF',
    });
    expect(await rejected(dm.removeAsync({ name: 'a' }))).toMatchObject({ code: 'EBADF' });
    expect(caught(() => dm.driverVersion())).toMatchObject({ code: 'EBADF' });
    expect(transport.requests).toEqual([]);
    expect(transport.closed).toBe(1);
  });

  it('lets a started async operation finish its retries after close(), then closes the fd once', async () => {
    const { dm, transport } = open([answer.errno(EBUSY), answer.errno(EBUSY), answer.device('a')]);
    const removal = dm.removeAsync({ name: 'a' }, { retry: { delayMs: 5 } });
    dm.close();
    expect(transport.closed).toBe(0);
    await removal;
    expect(transport.commands).toEqual(['DEV_REMOVE', 'DEV_REMOVE', 'DEV_REMOVE']);
    expect(transport.closed).toBe(1);
  });
});

describe('async waits, scripted', () => {
  it('waitEventAsync arms polling, then answers at once when the counter has already moved', async () => {
    const { dm, transport } = open([
      answer.ok(), // DEV_ARM_POLL
      answer.ok({ name: 'a', eventNr: 5 }), // DEV_STATUS: the counter is past 3 already
      answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }]),
    ]);
    const result = await dm.waitEventAsync({ name: 'a' }, 3);
    expect(transport.commands).toEqual(['DEV_ARM_POLL', 'DEV_STATUS', 'TABLE_STATUS']);
    expect(result.rows).toEqual([{ kind: 'status', start: 0, length: 8, type: 'zero', status: '' }]);
  });

  it('an aborted signal stops an async operation before its next ioctl, and the revert still runs', async () => {
    const controller = new AbortController();
    const { dm, transport } = open([
      (request, buffer) => {
        controller.abort(); // while DEV_CREATE is under way
        return answer.device('a', 4, 0)(request, buffer);
      },
      answer.device('a', 4, 0), // the revert's DEV_REMOVE
    ]);
    const error = await rejected(dm.createDeviceAsync('a', [{ start: 0, length: 8, type: 'zero', params: '' }], { signal: controller.signal }));
    expect(error).toMatchObject({ code: 'ECANCELED', kind: 'cancelled' });
    expect(transport.commands).toEqual(['DEV_CREATE', 'DEV_REMOVE']);
  });
});
