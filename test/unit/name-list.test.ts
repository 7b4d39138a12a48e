/**
 * lib/ioctl/name-list.ts: the LIST_DEVICES decoder's one-pass read of each name (its NUL, whether
 * it is plain), and list() in auto mode, which hands a plain list back without the codec and
 * unmangles one that is not.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMapper } from '../../lib/index.js';
import { decodeNameListChecked } from '../../lib/ioctl/name-list.js';
import { ReplyView } from '../../lib/ioctl/reply.js';
import { DmIoctlLayout as H } from '../../native-defs/index.js';
import { answer, ScriptedTransport } from '../helpers/scripted-transport.js';

/** A LIST_DEVICES reply with these names, decoded. */
function decoded(names: string[]): ReturnType<typeof decodeNameListChecked> {
  const buffer = Buffer.alloc(16384);
  answer.names(names)({} as never, buffer);
  return decodeNameListChecked(buffer, new ReplyView(buffer));
}

describe('decodeNameListChecked', () => {
  it('says a list is plain only when every name has just the bytes mangling keeps', () => {
    expect(decoded(['vg0-lv0', 'a#+-.:=@_Z9'])).toMatchObject({ plain: true, entries: [{ name: 'vg0-lv0' }, { name: 'a#+-.:=@_Z9' }] });
    for (const odd of ['a b', 'a\\x20b', 'café', 'a/b']) {
      const { plain, entries } = decoded(['ok', odd]);
      expect(plain).toBe(false);
      expect(entries.map((entry) => entry.name)).toEqual(['ok', odd]);
    }
    expect(decoded([]).entries).toEqual([]);
  });

  it('refuses a name with no NUL inside its record', () => {
    const buffer = Buffer.alloc(16384);
    answer.names(['abcdefgh'])({} as never, buffer);
    const view = new ReplyView(buffer);
    expect(() => decodeNameListChecked(buffer, { dataStart: view.dataStart, dataSize: H.size + 18 })).toThrow(/Malformed device list/);
  });
});

describe('list() in auto mode', () => {
  it('gives plain names as they are and unmangles the others', () => {
    const transport = new ScriptedTransport([answer.names(['plain-one', 'a\\x20b'])]);
    using dm = DeviceMapper.open({ transport, nodes: false, nameMangling: 'auto' });
    expect(dm.list({ uuids: false }).map((entry) => entry.name)).toEqual(['plain-one', 'a b']);
  });

  it('refuses a name the kernel has raw, as libdm does', () => {
    const transport = new ScriptedTransport([answer.names(['ok', 'raw space'])]);
    using dm = DeviceMapper.open({ transport, nodes: false, nameMangling: 'auto' });
    expect(() => dm.list({ uuids: false })).toThrow(/should be mangled but it contains blacklisted characters/);
  });
});
