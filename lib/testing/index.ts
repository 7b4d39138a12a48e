/**
 * tsdmsetup/testing: a kit for kernel tests of device-mapper code. Scratch loop devices on sparse
 * files and device-mapper devices under a name prefix, all removed even when a test throws.
 *
 * ```ts
 * import { scratch } from 'tsdmsetup/testing';
 * await using kit = await scratch({ prefix: 'mytest-' });
 * const pv = kit.loop(64); // 64 MiB
 * kit.dm.createDevice(kit.name('lv'), [{ start: 0, length: pv.sectors(), type: 'linear', params: `${pv.path} 0` }]);
 * // … the test; at the end of the scope the device is removed and the loop device detached.
 * ```
 *
 * With vitest: `const kit = scratchSync({ prefix: 'mytest-' }); afterEach(() => kit.cleanup());`.
 */
export { ScratchKit, scratch, scratchSync } from './scratch.js';
export type { ScratchOptions } from './scratch.js';
export { LoopDevice } from '../host/loop.js';
export type { LoopAttachMethod, LoopAttachOptions, LoopDetachResult, LoopInfo } from '../host/loop.js';
