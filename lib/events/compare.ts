/**
 * What `events()` reports: the difference between two looks at every device (LIST_DEVICES plus
 * DEV_STATUS each), read together with the kernel uevents heard in between. libdm has no
 * counterpart (dmeventd watches one device at a time with DM_DEV_WAIT).
 */
import type { NameListEntry } from '../ioctl/codec.js';
import type { DmUevent } from './kernel-uevents.js';

/**
 * A change seen by `events()`. What each kind means, and what Linux (6.1) does not announce:
 *
 * - `added`: a device that the previous look did not list. Creation makes the kernel count a
 *   global event, so it is seen at once.
 * - `removed`: a device that the previous look listed and this one does not (or that a `remove`
 *   uevent says went, when its number was reused meanwhile). Seen at once, like `added`.
 * - `renamed`: the device has a new name; `previousName` is the name the previous look saw. A
 *   rename of a device with a live table also counts one event on it: `renamed` stands for it.
 * - `event`: the device's event counter moved for another reason: a target raised an event
 *   (multipath `fail_path`/`reinstate_path`, a mirror or raid failure, thin-pool low water...).
 *   `eventNr` is the new count.
 * - `resumed`: the kernel's `change` uevent after a resume that ended a suspension (with the same
 *   table or a new one), or the previous look saw the device suspended and this one sees it live.
 * - `suspended`: a look sees the device suspended where the previous one saw it live, or saw a
 *   resume since. **The kernel announces no suspend** (no uevent, no event count): a suspend is
 *   reported when the stream next looks, i.e. on the next change of any device. A suspend
 *   followed by its resume before that look is reported as `resumed` alone.
 *
 * Changes that land between two looks are folded: two renames read as one (and the extra event
 * they counted as `event`). Without the uevent socket (see `events()`), a resume of the same
 * table is not seen unless a look saw the device suspended. A synthetic `change` written to
 * `/sys/block/dm-N/uevent` without arguments (udevd's watch after a writer closes the device
 * does this) cannot be told from a resume's and is reported as `resumed`.
 */
export interface DeviceEvent {
  /** What changed, as the comment above says for each kind. */
  kind: 'event' | 'suspended' | 'resumed' | 'added' | 'removed' | 'renamed';
  /** The device as last seen: its name, uuid (when known) and number. */
  device: { name: string; uuid?: string | undefined; major: number; minor: number };
  /** The device's event counter (as last seen, for a removed device). */
  eventNr: number;
  /** For `renamed`: the name before. */
  previousName?: string;
}

/** What a look records of each device. */
export interface Seen {
  entry: NameListEntry;
  suspended: boolean;
}

/** One look: every device by `major:minor`. */
export type Look = Map<string, Seen>;

export const keyOf = (device: { major: number; minor: number }): string => `${device.major}:${device.minor}`;

/** Per device, what its uevents since the previous look say. */
interface Heard {
  removed: boolean;
  /** `change` uevents of dm core itself (a resume's or a rename's), not a target's, not synthetic. */
  changes: number;
}

function hear(uevents: readonly DmUevent[]): Map<string, Heard> {
  const heard = new Map<string, Heard>();
  for (const uevent of uevents) {
    const key = keyOf(uevent);
    const entry = heard.get(key) ?? { removed: false, changes: 0 };
    if (uevent.action === 'remove') {
      // Whatever came before belongs to the device that went.
      entry.removed = true;
      entry.changes = 0;
    } else if (uevent.action === 'change' && !uevent.targetAction && !uevent.synthetic) entry.changes++;
    heard.set(key, entry);
  }
  return heard;
}

/** The events between two looks, in a stable order: per device as `now` lists them, then the removed. */
export function changesBetween(before: Look, now: Look, uevents: readonly DmUevent[]): DeviceEvent[] {
  const heard = hear(uevents);
  const events: DeviceEvent[] = [];
  for (const [key, { entry, suspended }] of now) {
    let previous = before.get(key);
    const news = heard.get(key);
    if (previous && news?.removed) {
      // The number was reused: the device seen before went, this one is new.
      events.push(event('removed', previous.entry));
      previous = undefined;
    }
    if (!previous) {
      events.push(event('added', entry));
      continue;
    }
    const renamed = previous.entry.name !== entry.name;
    if (renamed) events.push({ ...event('renamed', entry), previousName: previous.entry.name });
    // A rename counts one event (dm_table_event on the live table) and sends one change uevent.
    const moved = (entry.eventNr ?? 0) - (previous.entry.eventNr ?? 0);
    if (moved !== 0 && !(renamed && moved === 1)) events.push(event('event', entry));
    const resumedByUevent = (news?.changes ?? 0) - (renamed ? 1 : 0) > 0;
    if (resumedByUevent || (previous.suspended && !suspended)) events.push(event('resumed', entry));
    if (suspended && (!previous.suspended || resumedByUevent)) events.push(event('suspended', entry));
  }
  for (const [key, { entry }] of before) if (!now.has(key)) events.push(event('removed', entry));
  return events;
}

function event(kind: DeviceEvent['kind'], device: NameListEntry): DeviceEvent {
  return {
    kind,
    device: { name: device.name, uuid: device.uuid, major: device.major, minor: device.minor },
    eventNr: device.eventNr ?? 0,
  };
}
