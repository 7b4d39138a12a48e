/**
 * Names and uuids from the kernel that are not valid UTF-8 (dmsetup makes them from any bytes):
 * the decoders keep their bytes as `nameBytes`/`uuidBytes` beside the lossy string, so a caller
 * can tell `\xff` from `\xfe` (both decode to U+FFFD); valid names get no extra field. The kernel
 * side is test/vm/rel-faults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMapper } from '../../lib/index.js';
import { DmIoctlLayout as H, DmNameListLayout as NL } from '../../native-defs/index.js';
import { answer, ScriptedTransport } from '../helpers/scripted-transport.js';

describe('names that are not valid UTF-8', () => {
  it('info keeps the name and uuid bytes; a valid name has no nameBytes', () => {
    const transport = new ScriptedTransport([
      (request, buffer) => {
        const status = answer.device('xx', 1)(request, buffer);
        buffer.set([0xff, 0x00], H.name);
        buffer.set([0x41, 0xfe, 0x00], H.uuid);
        return status;
      },
      answer.device('plain', 2),
    ]);
    using dm = DeviceMapper.open({ transport, nodes: false, nameMangling: 'none' }); // auto mode refuses such a name, as libdm does
    const info = dm.info({ major: 253, minor: 1 });
    expect(info.name).toBe('\ufffd');
    expect(info.nameBytes).toEqual(Buffer.from([0xff]));
    expect(info.uuidBytes).toEqual(Buffer.from([0x41, 0xfe]));
    const plain = dm.info({ name: 'plain' });
    expect('nameBytes' in plain || 'uuidBytes' in plain).toBe(false);
  });

  it('list keeps each name\'s bytes', () => {
    const transport = new ScriptedTransport([
      (request, buffer) => {
        const status = answer.names(['ab', 'cd'])(request, buffer);
        buffer.set([0xff, 0xfe], H.size + NL.name);
        return status;
      },
    ]);
    using dm = DeviceMapper.open({ transport, nodes: false, nameMangling: 'none' }); // auto mode refuses such a name, as libdm does
    const [first, second] = dm.list({ uuids: false });
    expect(first!.nameBytes).toEqual(Buffer.from([0xff, 0xfe]));
    expect(second!.name).toBe('cd');
    expect(second!.nameBytes).toBeUndefined();
  });
});
