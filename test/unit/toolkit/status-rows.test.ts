/**
 * Status rows are their own type on every path that returns status (issue 9): `status()`,
 * `statusAsync()`, `waitEvent()`, `waitEventAsync()` and a handle's `status()` give StatusRows
 * (`kind: 'status'`, text in `status`), `parsedStatus()` types them by target, and a StatusRow
 * given where a TableRow belongs (load, createDevice, parseTableRow, validateTable) is refused
 * with a DmError that says so, before anything reaches the kernel. Driven by a scripted
 * transport; test/vm/lib-messages.test.ts and targets-*.test.ts read real status.
 */
import { describe, expect, it } from 'vitest';
import { DmFlag } from '../../../native-defs/index.js';
import {
  DeviceMapper,
  deviceHandle,
  parseStatusRow,
  parseTableRow,
  statusRow,
  thin,
  thinPool,
  validateTable,
  type StatusRow,
  type TableRow,
} from '../../../lib/index.js';
import { nodeOwnershipOf } from '../../../lib/options.js';
import { answer, ScriptedTransport, writeHeader, type Answer } from '../../helpers/scripted-transport.js';
import { caught, rejected } from '../../helpers/dm-error.js';

const DEV = BigInt(253 << 8) | 4n;
const POOL_STATUS = '0 1648/16384 3/16 - rw discard_passdown error_if_no_space - 1024 ';
const poolRow = { start: 0, length: 2048, type: 'thin-pool', params: POOL_STATUS };

function open(script: Answer[]) {
  const transport = new ScriptedTransport(script);
  return { dm: DeviceMapper.open({ nodes: false, ensureTargets: false, transport }), transport };
}

/** A TABLE_STATUS reply of `rows` about the device `name` (253:4), as a handle's check needs it. */
const statusOf = (name: string, rows: Parameters<typeof answer.targets>[0]): Answer => (request, buffer) => {
  const errno = answer.targets(rows)(request, buffer);
  writeHeader(buffer, { name, dev: DEV });
  return errno;
};

const device = (name: string): Answer => answer.ok({ name, dev: DEV, flags: DmFlag.ACTIVE_PRESENT });
const zeroStatus: StatusRow = { kind: 'status', start: 0, length: 8, type: 'zero', status: '' };

describe('status results are StatusRows', () => {
  it('status() and statusAsync() give kind "status" with the text in status, and no params', async () => {
    const { dm, transport } = open([answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }]), answer.targets([poolRow])]);
    const { rows } = dm.status({ name: 'a' });
    expect(rows).toEqual([zeroStatus]);
    expect(rows[0]).not.toHaveProperty('params');
    expect((await dm.statusAsync({ name: 'a' })).rows).toEqual([{ kind: 'status', start: 0, length: 2048, type: 'thin-pool', status: POOL_STATUS }]);
    expect(transport.commands).toEqual(['TABLE_STATUS', 'TABLE_STATUS']);
  });

  it('table() still gives table rows: params, no kind', () => {
    const { dm } = open([answer.targets([{ start: 0, length: 8, type: 'linear', params: '7:0 0' }])]);
    expect(dm.table({ name: 'a' }).rows).toEqual([{ start: 0, length: 8, type: 'linear', params: '7:0 0' }]);
  });

  it('waitEvent() gives the status rows of the DEV_WAIT reply as StatusRows', () => {
    const { dm, transport } = open([answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }])]);
    expect(dm.waitEvent({ name: 'a' }, 3).rows).toEqual([zeroStatus]);
    expect(transport.commands).toEqual(['DEV_WAIT']);
  });

  it('parsedStatus() types each row by its target: a ThinPoolStatus for a pool, a RawStatus for zero', () => {
    const { dm } = open([answer.targets([poolRow, { start: 2048, length: 8, type: 'zero', params: '' }])]);
    const [pool, zero] = dm.parsedStatus({ name: 'a' });
    expect(pool).toMatchObject({ start: 0, length: 2048, type: 'thin-pool' });
    expect(pool!.status).toMatchObject({ type: 'thin-pool', state: 'ok', data: { used: 3, total: 16 }, metadata: { used: 1648, total: 16384 } });
    expect(zero).toEqual({ start: 2048, length: 8, type: 'zero', status: { type: 'zero', raw: '' } });
  });

  it('a handle: status() gives StatusRows, parsedStatus() typed ones; parseStatusRow(row, thinPool) narrows one', () => {
    const { dm, transport } = open([device('pool'), statusOf('pool', [poolRow]), statusOf('pool', [poolRow])]);
    const handle = deviceHandle(dm, { name: 'pool' });
    const [row] = handle.status().rows;
    expect(row).toEqual({ kind: 'status', start: 0, length: 2048, type: 'thin-pool', status: POOL_STATUS });
    const typed = parseStatusRow(row!, thinPool).status;
    expect(typed.state === 'ok' && typed.data.used).toBe(3);
    expect(caught(() => parseStatusRow(row!, thin)).message).toContain('not thin');
    expect(handle.parsedStatus()[0]!.status).toMatchObject({ state: 'ok', needsCheck: false, whenFull: 'error' });
    expect(transport.requests.filter((r) => r.command !== 'VERSION').map((r) => [r.command, r.dev])).toEqual([
      ['DEV_STATUS', 0n],
      ['TABLE_STATUS', DEV],
      ['TABLE_STATUS', DEV],
    ]);
  });

  it('a handle: waitEventAsync() resolves with StatusRows', async () => {
    const { dm } = open([device('a'), answer.ok(), answer.ok({ name: 'a', dev: DEV, eventNr: 5 }), statusOf('a', [{ start: 0, length: 8, type: 'zero', params: '' }])]);
    const handle = deviceHandle(dm, { name: 'a' });
    expect((await handle.waitEventAsync(3)).rows).toEqual([zeroStatus]);
  });
});

describe('a StatusRow where a TableRow belongs is refused, by name, before any ioctl', () => {
  const asTable = (row: StatusRow): TableRow => row as unknown as TableRow;

  it('load (validated or not) sends nothing', async () => {
    const { dm, transport } = open([answer.targets([{ start: 0, length: 8, type: 'zero', params: '' }])]);
    const rows = dm.status({ name: 'a' }).rows.map(asTable);
    for (const options of [{}, { validate: false }]) {
      const error = caught(() => dm.load({ name: 'a' }, rows, options));
      expect(error).toMatchObject({ kind: 'invalid-argument', code: 'EINVAL' });
      expect(error.message).toBe(
        'Table row 1 is a status row (from status() or waitEvent()): status text cannot be loaded as table params; load rows from table() or a target builder',
      );
    }
    expect((await rejected(dm.loadAsync({ name: 'a' }, rows, { validate: false }))).message).toContain('is a status row');
    expect(transport.commands).toEqual(['TABLE_STATUS']);
  });

  it('createDevice (validated or not) creates nothing; the row is named by its place', () => {
    const { dm, transport } = open([]);
    const rows = [{ start: 0, length: 8, type: 'zero', params: '' }, asTable({ ...zeroStatus, start: 8 })];
    for (const options of [{}, { validate: false }]) {
      expect(caught(() => dm.createDevice('a', rows, options)).message).toMatch(/^Table row 2 is a status row/);
    }
    expect(transport.commands).toEqual([]);
  });

  it('validateTable refuses it (a status row has no params)', () => {
    expect(caught(() => validateTable([asTable(zeroStatus)]))).toMatchObject({ kind: 'invalid-argument', message: expect.stringMatching(/^Table row 1 is a status row/) });
  });

  it('parseTableRow says it got a status row, and which parser to use', () => {
    const error = caught(() => parseTableRow(asTable(statusRow(poolRow))));
    expect(error).toMatchObject({ kind: 'invalid-argument', code: 'EINVAL' });
    expect(error.message).toBe('parseTableRow got a status row (from status()): status text cannot be parsed as table params; use parseStatusRow');
    expect(caught(() => parseTableRow(asTable(statusRow(poolRow)), thinPool)).message).toContain('got a status row');
  });
});

describe('nodeOwnershipOf (moved out of the facade)', () => {
  it('keeps the defaults for fields not given or given as undefined', () => {
    expect(nodeOwnershipOf({})).toEqual({ uid: 0, gid: 6, mode: 0o660 });
    expect(nodeOwnershipOf({ nodeOwnership: { gid: 42, mode: undefined } })).toEqual({ uid: 0, gid: 42, mode: 0o660 });
  });
});
