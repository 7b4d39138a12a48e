/**
 * Every public entry point given bad arguments: the facade's methods (each enumerated from the
 * prototype, so a new one without a table entry fails), a device handle's, the transaction
 * builder's, the table helpers and the device-id validators, each driven with a table of wrong
 * types and out-of-range values. Property: a DmError kind 'invalid-argument' whose message names
 * the argument, thrown (or rejected) before any ioctl but VERSION and DEV_STATUS reaches the
 * transport; never a TypeError/RangeError from Node's internals.
 */
import { describe, expect, it } from 'vitest';
import { controlPath, DeviceMapper, DeviceNodes, DmError, formatTable, parseTable, resolveDevDir, validateName, validateTable, validateUuid } from '../../lib/index.js';
import type { Transport } from '../../lib/index.js';
import { DmFlag, DmRequest } from '../../native-defs/index.js';
import { writeHeader } from '../helpers/scripted-transport.js';

/** Answers VERSION and DEV_STATUS (a live device `d`, 253:0); any other ioctl is a test failure. */
class InfoOnlyTransport implements Transport {
  readonly leaked: string[] = [];
  send(_fd: number, request: number, buffer: Buffer): number {
    if (request === DmRequest.VERSION) return writeHeader(buffer, {}), 0;
    if (request === DmRequest.DEV_STATUS) {
      writeHeader(buffer, { name: 'd', uuid: '', dev: 253n << 8n, flags: DmFlag.ACTIVE_PRESENT });
      return 0;
    }
    const name = Object.entries(DmRequest).find(([, r]) => r === request)?.[0] ?? String(request);
    this.leaked.push(name);
    throw new Error(`a bad argument reached the ${name} ioctl`);
  }
  async sendAsync(fd: number, request: number, buffer: Buffer): Promise<number> {
    return this.send(fd, request, buffer);
  }
  close(): void {}
}

const ROW = { start: 0, length: 8, type: 'zero', params: '' };
const NOT_OBJECTS: unknown[] = [null, 5, 'x', true];
const NOT_STRINGS: unknown[] = [undefined, null, 5, {}, [], Symbol('s')];

/** Bad values of each kind of argument, with a valid one to pass where another argument is bad. */
const KINDS = {
  device: {
    valid: { name: 'd' },
    bad: [
      undefined, null, 5, 'd', {}, { name: 'a', uuid: 'b' }, { name: 5 }, { name: '' }, { name: 'a\0b' }, { uuid: null },
      { uuid: 7 }, { major: -1, minor: 0 }, { major: 1.5, minor: 0 }, { major: Number.NaN, minor: 0 }, { major: 2 ** 40, minor: 0 },
      { major: 253 }, { major: '253', minor: '0' }, { name: 'x'.repeat(200) },
    ],
  },
  name: { valid: 'd', bad: [...NOT_STRINGS, '', 'a\0b', 'a/b', 'x'.repeat(200)] },
  type: { valid: 'zero', bad: [...NOT_STRINGS, '', 'zero\0x', 'x'.repeat(200)] },
  uuid: { valid: 'u', bad: [...NOT_STRINGS, '', 'a\0b', 'x'.repeat(200)] },
  rows: {
    valid: [ROW],
    bad: [
      undefined, null, 'x', 5, [], [null], [5], [{}], [{ ...ROW, length: -1 }], [{ ...ROW, length: Number.NaN }], [{ ...ROW, length: 1.5 }],
      [{ ...ROW, length: 2 ** 64 }], [{ ...ROW, start: '0' }], [{ ...ROW, type: 5 }], [{ ...ROW, type: 'zero\0x' }], [{ ...ROW, params: null }],
      [{ ...ROW, params: 'a\0b' }], [{ ...ROW, length: -1n }],
    ],
  },
  sector: { valid: 0, bad: [undefined, null, '0', -1, Number.NaN, 1.5, 2 ** 64, -1n, 1n << 64n, {}] },
  text: { valid: 'm', bad: [...NOT_STRINGS, 'a\0b'] },
  eventNr: { valid: 0, bad: [undefined, null, '1', -1, Number.NaN, 1.5, 2 ** 33, 1n] },
  geometry: {
    valid: { cylinders: 1, heads: 1, sectors: 1, start: 0 },
    bad: [undefined, null, 5, {}, { cylinders: -1, heads: 1, sectors: 1, start: 0 }, { cylinders: '1', heads: 1, sectors: 1, start: 0 }],
  },
  types: { valid: ['zero'], bad: [undefined, null, 5, [5], [null], ['zero\0x'], [''], 'zero'] },
  names: { valid: undefined, bad: [null, 5, 'd', [5], [null], ['a\0b']] },
  options: {
    valid: {},
    bad: [
      ...NOT_OBJECTS, { signal: 5 }, { signal: {} }, { udevTimeoutMs: -1 }, { udevTimeoutMs: Number.NaN }, { udevTimeoutMs: '5' },
      { inactive: 'yes' }, { noFlush: 1 }, { uuids: 'no' }, { deferred: 'yes' }, { retry: 'x' }, { retry: { attempts: -1 } },
      { readAhead: -5 }, { readAhead: 'lots' }, { dev: { major: -1, minor: 0 } }, { dev: 5 }, { uuid: 5 }, { uuid: 'a\0b' },
      { readOnly: 'no' }, { secure: 1 }, { validate: 'no' }, { noLockfs: 'x' },
    ],
  },
} as const;
type Kind = keyof typeof KINDS;

/** The arguments of each facade method, by kind; methods that take none are listed with []. */
const FACADE: Record<string, Kind[]> = {
  nodePath: ['name'],
  close: [],
  driverVersion: [],
  list: ['options'],
  listAsync: ['options'],
  create: ['name', 'options'],
  createAsync: ['name', 'options'],
  load: ['device', 'rows', 'options'],
  loadAsync: ['device', 'rows', 'options'],
  clear: ['device'],
  suspend: ['device', 'options'],
  suspendAsync: ['device', 'options'],
  resume: ['device', 'options'],
  resumeAsync: ['device', 'options'],
  remove: ['device', 'options'],
  removeAsync: ['device', 'options'],
  cancelDeferredRemove: ['device'],
  removeAll: ['options'],
  syncNodes: ['names'],
  rename: ['device', 'name'],
  renameAsync: ['device', 'name', 'options'],
  setUuid: ['device', 'uuid'],
  info: ['device', 'options'],
  infoAsync: ['device', 'options'],
  tryInfo: ['device'],
  deps: ['device', 'options'],
  depsAsync: ['device', 'options'],
  status: ['device', 'options'],
  parsedStatus: ['device', 'options'],
  statusAsync: ['device', 'options'],
  table: ['device', 'options'],
  tableAsync: ['device', 'options'],
  targets: [],
  targetVersion: ['type'],
  message: ['device', 'sector', 'text'],
  messageAsync: ['device', 'sector', 'text', 'options'],
  setGeometry: ['device', 'geometry'],
  setGeometryText: ['device', 'text'],
  waitEvent: ['device', 'eventNr', 'options'],
  waitEventAsync: ['device', 'eventNr', 'options'],
  events: ['options'],
  armPoll: [],
  createDevice: ['name', 'rows', 'options'],
  createDeviceAsync: ['name', 'rows', 'options'],
  device: ['device'],
  tree: ['options'],
  removeTree: ['device', 'options'],
  transaction: [],
  ensureTargets: ['types'],
};

/** Options objects whose bad fields do not concern a method are ignored by it: only the generic bad values apply. */
const OPTION_FIELDS: Record<string, string[]> = {
  list: ['uuids', 'signal'],
  create: ['uuid', 'dev', 'readOnly', 'validate', 'udevTimeoutMs', 'signal'],
  load: ['readOnly', 'secure', 'validate', 'signal'],
  suspend: ['noFlush', 'noLockfs', 'signal'],
  resume: ['noFlush', 'noLockfs', 'udevTimeoutMs', 'readAhead', 'signal'],
  remove: ['deferred', 'retry', 'udevTimeoutMs', 'signal'],
  removeAll: ['deferred'],
  info: ['inactive', 'signal'],
  deps: ['inactive', 'signal'],
  status: ['inactive', 'noFlush', 'signal'],
  parsedStatus: ['inactive', 'noFlush', 'signal'],
  table: ['inactive', 'noFlush', 'signal'],
  waitEvent: ['inactive', 'noFlush', 'signal'],
  createDevice: ['uuid', 'dev', 'readOnly', 'secure', 'validate', 'udevTimeoutMs', 'readAhead', 'noFlush', 'noLockfs', 'signal'],
  renameAsync: ['signal'],
  messageAsync: ['signal'],
  events: ['signal'],
  tree: [],
  removeTree: [],
};

function badOptionsFor(method: string): unknown[] {
  const fields = OPTION_FIELDS[method.replace(/Async$/, '')] ?? OPTION_FIELDS[method] ?? [];
  return KINDS.options.bad.filter((value) => {
    if (value === null || typeof value !== 'object') return true;
    return Object.keys(value).every((key) => fields.includes(key));
  });
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : Number.isNaN(v) ? 'NaN' : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The error a call gave (thrown or rejected), or undefined when it succeeded. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    const result = call();
    if (result && typeof (result as Promise<unknown>).then === 'function') await result;
    if (result && typeof (result as AsyncGenerator).next === 'function') await (result as AsyncGenerator).next();
    return undefined;
  } catch (error) {
    return error;
  }
}

function open(transport = new InfoOnlyTransport()): { dm: DeviceMapper; transport: InfoOnlyTransport } {
  const dm = DeviceMapper.open({ transport, nodes: false, ensureTargets: false, devDir: '/nonexistent-dev' });
  return { dm, transport };
}

function refused(error: unknown, context: string): void {
  expect(error, context).toBeInstanceOf(DmError);
  expect((error as DmError).kind, `${context}: ${(error as Error).message}`).toBe('invalid-argument');
  expect((error as DmError).message.length, context).toBeGreaterThan(10);
}

describe('the facade refuses bad arguments with DmError invalid-argument', () => {
  it('lists every public method of DeviceMapper in its table', () => {
    const methods = Object.getOwnPropertyNames(DeviceMapper.prototype).filter(
      (key) => key !== 'constructor' && typeof Object.getOwnPropertyDescriptor(DeviceMapper.prototype, key)?.value === 'function',
    );
    const publicMethods = methods.filter((key) => !['eventPoller'].includes(key));
    expect(publicMethods.sort()).toEqual(Object.keys(FACADE).sort());
  });

  for (const [method, kinds] of Object.entries(FACADE)) {
    kinds.forEach((kind, slot) => {
      const bad = kind === 'options' ? badOptionsFor(method) : KINDS[kind].bad;
      if (bad.length === 0) return;
      it(`${method}: argument ${slot + 1} (${kind})`, async () => {
        for (const value of bad) {
          const { dm, transport } = open();
          const args = kinds.map((k, i) => (i === slot ? value : KINDS[k].valid));
          const error = await outcome(() => (dm as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args));
          dm.close();
          refused(error, `${method}(${args.map(show).join(', ')})`);
          expect(transport.leaked, method).toEqual([]);
        }
      });
    });
  }

  it('open() refuses bad options', async () => {
    for (const options of [null, 5, { devDir: 5 }, { devDir: 'relative/dev' }, { maxBufferSize: -1 }, { maxBufferSize: 'x' }, { nodes: 'yes' }, { udevSync: 'sometimes' }, { udevTimeoutMs: -1 }, { addNodeOn: 'never' }, { onWarning: 5 }, { nodeOwnership: { mode: -1 } }, { nodeOwnership: 5 }, { transport: {} }]) {
      const error = await outcome(() => DeviceMapper.open(options as never).close());
      refused(error, `open(${show(options)})`);
    }
  });
});

describe('a device handle and a transaction refuse bad arguments', () => {
  const HANDLE: Record<string, Kind[]> = {
    info: ['options'], table: ['options'], status: ['options'], deps: ['options'], load: ['rows', 'options'], suspend: ['options'],
    suspendAsync: ['options'], resume: ['options'], resumeAsync: ['options'], rename: ['name'], message: ['sector', 'text'],
    waitEvent: ['eventNr', 'options'], waitEventAsync: ['eventNr', 'options'], remove: ['options'], removeAsync: ['options'],
  };
  for (const [method, kinds] of Object.entries(HANDLE)) {
    kinds.forEach((kind, slot) => {
      it(`handle.${method}: argument ${slot + 1} (${kind})`, async () => {
        const bad = kind === 'options' ? badOptionsFor(method) : KINDS[kind].bad;
        for (const value of bad) {
          const { dm, transport } = open();
          const handle = dm.device({ name: 'd' });
          const args = kinds.map((k, i) => (i === slot ? value : KINDS[k].valid));
          const error = await outcome(() => (handle as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args));
          dm.close();
          refused(error, `handle.${method}(${args.map(show).join(', ')})`);
          expect(transport.leaked).toEqual([]);
        }
      });
    });
  }

  it('transaction builders refuse bad members when they are added', async () => {
    const { dm, transport } = open();
    for (const name of KINDS.name.bad) refused(await outcome(() => dm.transaction().create(name as never, [ROW])), `create(${show(name)})`);
    for (const rows of [null, 5, 'x', [null], [{}]]) refused(await outcome(() => dm.transaction().create('d', rows as never)), `create(rows ${show(rows)})`);
    for (const device of KINDS.device.bad) refused(await outcome(() => dm.transaction().reload(device as never, [ROW])), `reload(${show(device)})`);
    for (const device of KINDS.device.bad) refused(await outcome(() => dm.transaction().suspend(device as never)), `suspend(${show(device)})`);
    dm.close();
    expect(transport.leaked).toEqual([]);
  });
});

describe('table helpers and validators refuse bad arguments', () => {
  it('parseTable, formatTable, validateTable, validateName and validateUuid', async () => {
    for (const text of NOT_STRINGS) refused(await outcome(() => parseTable(text as never)), `parseTable(${show(text)})`);
    for (const rows of KINDS.rows.bad) refused(await outcome(() => validateTable(rows as never)), `validateTable(${show(rows)})`);
    for (const rows of [undefined, null, 5, [null], [5]]) refused(await outcome(() => formatTable(rows as never)), `formatTable(${show(rows)})`);
    for (const name of KINDS.name.bad) refused(await outcome(() => validateName(name as never)), `validateName(${show(name)})`);
    for (const uuid of KINDS.uuid.bad) refused(await outcome(() => validateUuid(uuid as never)), `validateUuid(${show(uuid)})`);
  });
});

describe('a relative device directory is refused by the library', () => {
  it('in open(), controlPath, resolveDevDir and DeviceNodes, and from DM_DEV_DIR', async () => {
    const transport = new InfoOnlyTransport();
    for (const devDir of ['reldev', './dev', '', 'dev/']) {
      refused(await outcome(() => DeviceMapper.open({ devDir, transport })), `open({ devDir: ${show(devDir)} })`);
      refused(await outcome(() => controlPath(devDir)), `controlPath(${show(devDir)})`);
      refused(await outcome(() => new DeviceNodes(devDir)), `new DeviceNodes(${show(devDir)})`);
    }
    const saved = process.env['DM_DEV_DIR'];
    process.env['DM_DEV_DIR'] = 'reldev';
    try {
      const error = await outcome(() => resolveDevDir());
      refused(error, 'DM_DEV_DIR=reldev');
      expect((error as Error).message).toContain('"reldev" must be an absolute path');
    } finally {
      if (saved === undefined) delete process.env['DM_DEV_DIR'];
      else process.env['DM_DEV_DIR'] = saved;
    }
    expect(resolveDevDir('/tmp/dev')).toBe('/tmp/dev');
  });
});
