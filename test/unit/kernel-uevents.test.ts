/**
 * The kernel uevent parser and the dm filter (lib/events/kernel-uevents.ts), on messages captured
 * byte for byte from Linux 6.1's NETLINK_KOBJECT_UEVENT group 1 in the VM (dmsetup 1.02.185
 * driving the devices), and on malformed ones: those are ignored, never thrown on. That the
 * stream hears them live is shown in test/vm/lib-events-stream.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { dmUeventOf, parseKernelUevent } from '../../lib/events/kernel-uevents.js';

const captured = (base64: string): Buffer => Buffer.from(base64, 'base64');

/** `dmsetup load` of dm-0's first table: the gendisk is registered. */
const ADD = captured(
  'YWRkQC9kZXZpY2VzL3ZpcnR1YWwvYmxvY2svZG0tMABBQ1RJT049YWRkAERFVlBBVEg9L2RldmljZXMvdmlydHVhbC9ibG9jay9kbS0wAFNVQlNZU1RFTT1ibG9jawBNQUpPUj0yNTQATUlOT1I9MABERVZOQU1FPWRtLTAAREVWVFlQRT1kaXNrAERJU0tTRVE9OQBTRVFOVU09NzU5AA==',
);
/** `dmsetup resume` of dm-0 (dm core's change, with dmsetup's cookie). */
const RESUME = captured(
  'Y2hhbmdlQC9kZXZpY2VzL3ZpcnR1YWwvYmxvY2svZG0tMABBQ1RJT049Y2hhbmdlAERFVlBBVEg9L2RldmljZXMvdmlydHVhbC9ibG9jay9kbS0wAFNVQlNZU1RFTT1ibG9jawBETV9DT09LSUU9NjI5MTQ1NgBNQUpPUj0yNTQATUlOT1I9MABERVZOQU1FPWRtLTAAREVWVFlQRT1kaXNrAERJU0tTRVE9OQBTRVFOVU09NzYwAA==',
);
/** `dmsetup resume` of a larger table. */
const RESIZE = captured(
  'Y2hhbmdlQC9kZXZpY2VzL3ZpcnR1YWwvYmxvY2svZG0tMABBQ1RJT049Y2hhbmdlAERFVlBBVEg9L2RldmljZXMvdmlydHVhbC9ibG9jay9kbS0wAFNVQlNZU1RFTT1ibG9jawBETV9DT09LSUU9NjI5MTQ1NgBSRVNJWkU9MQBNQUpPUj0yNTQATUlOT1I9MABERVZOQU1FPWRtLTAAREVWVFlQRT1kaXNrAERJU0tTRVE9OQBTRVFOVU09NzY1AA==',
);
/** `dmsetup message mp 0 fail_path 254:1`: multipath's own uevent. */
const PATH_FAILED = captured(
  'Y2hhbmdlQC9kZXZpY2VzL3ZpcnR1YWwvYmxvY2svZG0tMgBBQ1RJT049Y2hhbmdlAERFVlBBVEg9L2RldmljZXMvdmlydHVhbC9ibG9jay9kbS0yAFNVQlNZU1RFTT1ibG9jawBETV9UQVJHRVQ9bXVsdGlwYXRoAERNX0FDVElPTj1QQVRIX0ZBSUxFRABETV9TRVFOVU09MQBETV9QQVRIPTI1NDoxAERNX05SX1ZBTElEX1BBVEhTPTAARE1fTkFNRT1tcABETV9VVUlEPQBNQUpPUj0yNTQATUlOT1I9MgBERVZOQU1FPWRtLTIAREVWVFlQRT1kaXNrAERJU0tTRVE9MTIAU0VRTlVNPTc3MwA=',
);
/** `dmsetup remove`: dm core's remove (with the cookie), then the gendisk's. */
const REMOVE_DM = captured(
  'cmVtb3ZlQC9kZXZpY2VzL3ZpcnR1YWwvYmxvY2svZG0tMgBBQ1RJT049cmVtb3ZlAERFVlBBVEg9L2RldmljZXMvdmlydHVhbC9ibG9jay9kbS0yAFNVQlNZU1RFTT1ibG9jawBETV9DT09LSUU9NjI5MTQ1NgBNQUpPUj0yNTQATUlOT1I9MgBERVZOQU1FPWRtLTIAREVWVFlQRT1kaXNrAERJU0tTRVE9MTIAU0VRTlVNPTc3NQA=',
);
const REMOVE_DISK = captured(
  'cmVtb3ZlQC9kZXZpY2VzL3ZpcnR1YWwvYmxvY2svZG0tMgBBQ1RJT049cmVtb3ZlAERFVlBBVEg9L2RldmljZXMvdmlydHVhbC9ibG9jay9kbS0yAFNVQlNZU1RFTT1ibG9jawBNQUpPUj0yNTQATUlOT1I9MgBERVZOQU1FPWRtLTIAREVWVFlQRT1kaXNrAERJU0tTRVE9MTIAU0VRTlVNPTc3NwA=',
);
/** The same load's other uevents: the target module and the disk's bdi. */
const MODULE = captured('YWRkQC9tb2R1bGUvZG1femVybwBBQ1RJT049YWRkAERFVlBBVEg9L21vZHVsZS9kbV96ZXJvAFNVQlNZU1RFTT1tb2R1bGUAU0VRTlVNPTc1NwA=');
const BDI = captured(
  'YWRkQC9kZXZpY2VzL3ZpcnR1YWwvYmRpLzI1NDowAEFDVElPTj1hZGQAREVWUEFUSD0vZGV2aWNlcy92aXJ0dWFsL2JkaS8yNTQ6MABTVUJTWVNURU09YmRpAFNFUU5VTT03NTgA',
);

const text = (message: string): Buffer => Buffer.from(message, 'latin1');

describe('parseKernelUevent on captured messages', () => {
  it('reads the header and every property', () => {
    const uevent = parseKernelUevent(RESUME)!;
    expect(uevent.action).toBe('change');
    expect(uevent.devpath).toBe('/devices/virtual/block/dm-0');
    expect(Object.fromEntries(uevent.properties)).toEqual({
      ACTION: 'change',
      DEVPATH: '/devices/virtual/block/dm-0',
      SUBSYSTEM: 'block',
      DM_COOKIE: '6291456',
      MAJOR: '254',
      MINOR: '0',
      DEVNAME: 'dm-0',
      DEVTYPE: 'disk',
      DISKSEQ: '9',
      SEQNUM: '760',
    });
  });

  it('parses the non-dm ones too (the filter, not the parser, drops them)', () => {
    expect(parseKernelUevent(MODULE)!.properties.get('SUBSYSTEM')).toBe('module');
    expect(parseKernelUevent(BDI)!.devpath).toBe('/devices/virtual/bdi/254:0');
  });
});

describe('dmUeventOf on captured messages', () => {
  const dm = (message: Buffer) => dmUeventOf(parseKernelUevent(message)!);

  it('keeps dm disks with their dev_t and action', () => {
    expect(dm(ADD)).toEqual({ action: 'add', major: 254, minor: 0, targetAction: undefined, synthetic: false });
    expect(dm(RESUME)).toEqual({ action: 'change', major: 254, minor: 0, targetAction: undefined, synthetic: false });
    expect(dm(RESIZE)).toEqual({ action: 'change', major: 254, minor: 0, targetAction: undefined, synthetic: false });
    expect(dm(REMOVE_DM)).toEqual({ action: 'remove', major: 254, minor: 2, targetAction: undefined, synthetic: false });
    expect(dm(REMOVE_DISK)).toEqual({ action: 'remove', major: 254, minor: 2, targetAction: undefined, synthetic: false });
  });

  it("tells a target's uevent by its DM_ACTION", () => {
    expect(dm(PATH_FAILED)).toEqual({ action: 'change', major: 254, minor: 2, targetAction: 'PATH_FAILED', synthetic: false });
  });

  it('drops the module and bdi uevents of the same load', () => {
    expect(dm(MODULE)).toBeUndefined();
    expect(dm(BDI)).toBeUndefined();
  });

  it('marks a synthetic uevent with arguments, and drops disks that are not dm', () => {
    const synthetic = text('change@/devices/virtual/block/dm-0\0ACTION=change\0DEVPATH=/devices/virtual/block/dm-0\0SUBSYSTEM=block\0SYNTH_UUID=0\0MAJOR=254\0MINOR=0\0DEVNAME=dm-0\0DEVTYPE=disk\0');
    expect(dmUeventOf(parseKernelUevent(synthetic)!)?.synthetic).toBe(true);
    const loop = text('change@/devices/virtual/block/loop0\0ACTION=change\0SUBSYSTEM=block\0MAJOR=7\0MINOR=0\0DEVNAME=loop0\0DEVTYPE=disk\0');
    expect(dmUeventOf(parseKernelUevent(loop)!)).toBeUndefined();
    const partition = text('add@/devices/virtual/block/dm-0/dm-0p1\0ACTION=add\0SUBSYSTEM=block\0MAJOR=259\0MINOR=0\0DEVNAME=dm-0p1\0DEVTYPE=partition\0');
    expect(dmUeventOf(parseKernelUevent(partition)!)).toBeUndefined();
    const noNumber = text('add@/devices/virtual/block/dm-0\0ACTION=add\0SUBSYSTEM=block\0MAJOR=x\0MINOR=0\0DEVNAME=dm-0\0DEVTYPE=disk\0');
    expect(dmUeventOf(parseKernelUevent(noNumber)!)).toBeUndefined();
  });
});

describe('parseKernelUevent on malformed input', () => {
  const udevd = Buffer.concat([text('libudev\0'), Buffer.alloc(32), text('ACTION=change\0')]);
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['a udevd message', udevd],
    ['no @ header', text('ACTION=change\0SUBSYSTEM=block\0')],
    ['an empty action', text('@/devices/virtual/block/dm-0\0ACTION=\0')],
    ['a devpath that is not a path', text('change@dm-0\0ACTION=change\0')],
    ['a header that the properties contradict', text('change@/devices/virtual/block/dm-0\0ACTION=remove\0')],
    ['random bytes', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 151 + 7) % 256))],
    ['too long', Buffer.concat([text('change@/x\0'), Buffer.alloc(9000, 0x41)])],
    ['cut in the middle', RESUME.subarray(0, 20)],
  ];
  it.each(cases)('ignores %s', (_, message) => {
    expect(() => parseKernelUevent(message)).not.toThrow();
    const parsed = parseKernelUevent(message);
    expect(parsed === undefined || dmUeventOf(parsed) === undefined).toBe(true);
  });

  it('skips entries without "=" and keeps "=" inside values', () => {
    const uevent = parseKernelUevent(text('change@/devices/virtual/block/dm-0\0garbage\0=x\0DM_NAME=a=b\0'))!;
    expect(Object.fromEntries(uevent.properties)).toEqual({ DM_NAME: 'a=b' });
  });
});
