/**
 * How events() turns two looks and the uevents between them into kinds (lib/events/compare.ts).
 * The looks and uevents here are written by hand in the shapes the kernel gives (see
 * test/unit/kernel-uevents.test.ts); that the kernel really sends them is shown in
 * test/vm/lib-events-stream.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { changesBetween, type Look } from '../../lib/events/compare.js';
import type { DmUevent } from '../../lib/events/kernel-uevents.js';

interface Device {
  name: string;
  minor: number;
  eventNr?: number;
  suspended?: boolean;
}

function look(...devices: Device[]): Look {
  return new Map(
    devices.map(({ name, minor, eventNr = 0, suspended = false }) => [`254:${minor}`, { entry: { name, major: 254, minor, eventNr }, suspended }]),
  );
}

const uevent = (action: string, minor: number, extra: Partial<DmUevent> = {}): DmUevent => ({
  action,
  major: 254,
  minor,
  targetAction: undefined,
  synthetic: false,
  ...extra,
});

const kinds = (before: Look, now: Look, uevents: DmUevent[] = []): string[] =>
  changesBetween(before, now, uevents).map((e) => `${e.kind} ${e.device.name}${e.previousName ? ` from ${e.previousName}` : ''} #${e.eventNr}`);

describe('changesBetween', () => {
  it('reports nothing when nothing changed', () => {
    expect(kinds(look({ name: 'a', minor: 0 }), look({ name: 'a', minor: 0 }))).toEqual([]);
  });

  it('added and removed', () => {
    expect(kinds(look({ name: 'a', minor: 0 }), look({ name: 'b', minor: 1 }))).toEqual(['added b #0', 'removed a #0']);
  });

  it('a rename is renamed (its one counted event included), not event', () => {
    expect(kinds(look({ name: 'a', minor: 0, eventNr: 3 }), look({ name: 'b', minor: 0, eventNr: 4 }), [uevent('change', 0)])).toEqual(['renamed b from a #4']);
  });

  it('a rename of a device without a table counts no event and is still renamed', () => {
    expect(kinds(look({ name: 'a', minor: 0 }), look({ name: 'b', minor: 0 }))).toEqual(['renamed b from a #0']);
  });

  it('a target event is event with the new count; its DM_ACTION uevent is no resume', () => {
    expect(kinds(look({ name: 'mp', minor: 2, eventNr: 0 }), look({ name: 'mp', minor: 2, eventNr: 1 }), [uevent('change', 2, { targetAction: 'PATH_FAILED' })])).toEqual(['event mp #1']);
  });

  it('a suspend and resume between two looks is resumed, from the change uevent', () => {
    expect(kinds(look({ name: 'a', minor: 0 }), look({ name: 'a', minor: 0 }), [uevent('change', 0)])).toEqual(['resumed a #0']);
  });

  it('a suspend seen by a look is suspended, its resume then resumed (once, with or without its uevent)', () => {
    const live = look({ name: 'a', minor: 0 });
    const suspended = look({ name: 'a', minor: 0, suspended: true });
    expect(kinds(live, suspended)).toEqual(['suspended a #0']);
    expect(kinds(suspended, live, [uevent('change', 0)])).toEqual(['resumed a #0']);
    expect(kinds(suspended, live)).toEqual(['resumed a #0']);
  });

  it('resumed then suspended again between two looks', () => {
    expect(kinds(look({ name: 'a', minor: 0, suspended: true }), look({ name: 'a', minor: 0, suspended: true }), [uevent('change', 0)])).toEqual(['resumed a #0', 'suspended a #0']);
  });

  it('a rename and a resume between two looks: both', () => {
    expect(kinds(look({ name: 'a', minor: 0, eventNr: 1 }), look({ name: 'b', minor: 0, eventNr: 2 }), [uevent('change', 0), uevent('change', 0)])).toEqual(['renamed b from a #2', 'resumed b #2']);
  });

  it('a reused number after a remove uevent is removed then added, not renamed', () => {
    expect(kinds(look({ name: 'a', minor: 0 }), look({ name: 'b', minor: 0 }), [uevent('remove', 0), uevent('remove', 0), uevent('add', 0), uevent('change', 0)])).toEqual(['removed a #0', 'added b #0']);
  });

  it('ignores synthetic changes with arguments, add uevents and uevents of devices not seen', () => {
    expect(kinds(look({ name: 'a', minor: 0 }), look({ name: 'a', minor: 0 }), [uevent('change', 0, { synthetic: true }), uevent('add', 0), uevent('change', 9)])).toEqual([]);
  });
});
