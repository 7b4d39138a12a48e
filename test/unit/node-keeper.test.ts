/**
 * The library's node keeper and `nodeErrors`: a node it cannot make, rename or remove fails the
 * verb by default; with `'warn'` its message goes to the warning callback and the verb goes on (as
 * libdevmapper does, and tsdmsetup asks for). Only node errors are turned into warnings. The
 * kernel side (a full or read-only device directory) is test/vm/faults-race.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DmError } from '../../lib/index.js';
import { LibraryNodeKeeper } from '../../lib/host/node-keeper.js';
import type { DeviceNodes } from '../../lib/host/nodes.js';
import type { DeviceInfo } from '../../lib/device/device-info.js';

const nodeError = new DmError('/d/mapper/a: mknod for a failed: No space left on device', { kind: 'node', code: 'ENOSPC' });

/** DeviceNodes whose every operation throws `error`. */
function failingNodes(error: unknown): DeviceNodes {
  const fail = (): never => {
    throw error;
  };
  return { add: fail, remove: fail, rename: fail, pathOf: (name: string) => `/d/mapper/${name}` } as unknown as DeviceNodes;
}

const info = { name: 'a', major: 253, minor: 0 } as DeviceInfo;
const hooks = (keeper: LibraryNodeKeeper): Array<[string, () => void]> => [
  ['afterResume', () => keeper.afterResume(info)],
  ['afterRename', () => keeper.afterRename('a', 'b', info)],
  ['afterRemove', () => keeper.afterRemove('a')],
];

describe('LibraryNodeKeeper and nodeErrors', () => {
  it('throws a node error by default (createDevice then takes the device back)', () => {
    const keeper = new LibraryNodeKeeper(failingNodes(nodeError), 'resume');
    for (const [hook, run] of hooks(keeper)) expect(run, hook).toThrow(nodeError);
    expect(() => new LibraryNodeKeeper(failingNodes(nodeError), 'create').afterCreate(info)).toThrow(nodeError);
  });

  it("with a warning callback ('warn') passes a node error's message to it and returns", () => {
    const warnings: string[] = [];
    const keeper = new LibraryNodeKeeper(failingNodes(nodeError), 'resume', (line) => warnings.push(line));
    for (const [hook, run] of hooks(keeper)) expect(run, hook).not.toThrow();
    new LibraryNodeKeeper(failingNodes(nodeError), 'create', (line) => warnings.push(line)).afterCreate(info);
    expect(warnings).toEqual(Array(4).fill(nodeError.message));
  });

  it('still throws what is not a node error', () => {
    const other = new DmError('bad', { kind: 'invalid-argument', code: 'EINVAL' });
    const plain = new Error('bug');
    for (const error of [other, plain]) {
      const keeper = new LibraryNodeKeeper(failingNodes(error), 'resume', () => {});
      for (const [hook, run] of hooks(keeper)) expect(run, hook).toThrow(error);
    }
  });
});
