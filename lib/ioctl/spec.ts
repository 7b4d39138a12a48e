/**
 * One ioctl request as the library describes it (IoctlSpec): the command, how the device is
 * addressed, flags and payload. Its own file so that the exchange loop (dm-ioctl.ts) and the
 * error of a failed ioctl (failure.ts) both read it.
 */
import type { DmCommandName } from '../../native-defs/index.js';
import type { DevNumber, DeviceId } from '../device/device-id.js';
import type { RequestPayload } from './codec.js';

/** One request: the command, how the device is addressed, flags and payload. */
export interface IoctlSpec {
  /** The ioctl to send (`DEV_REMOVE`, `TABLE_LOAD`, …). */
  command: DmCommandName;
  /** libdevmapper's name for the operation (`remove`, `table`, `resume`…), used in messages. */
  operation: string;
  /** The device the request is about, when it is about one. */
  device?: DeviceId | undefined;
  /** Name field without addressing a device: the new device's name, or a target type name. */
  name?: string | undefined;
  /** Uuid field without addressing a device: the new device's uuid. */
  uuid?: string | undefined;
  /** dev field without addressing a device: the persistent number asked for on create. */
  dev?: DevNumber | undefined;
  /** DM_*_FLAG bits to set (DmFlag); each command refuses bits outside its allow-list. */
  flags?: number | undefined;
  /**
   * The `event_nr` field: the event to wait past (DEV_WAIT) or, for commands that carry one, the
   * udev cookie and flags.
   */
  eventNr?: number | undefined;
  /**
   * What follows the header: table rows, a message, a new name or uuid, a geometry string; none for
   * most commands.
   */
  payload?: RequestPayload | undefined;
  /** Zero the buffer after use (tables with keys). */
  secure?: boolean | undefined;
  /** How long to wait for udev after this request, in ms (default: the handle's). */
  udevTimeoutMs?: number | undefined;
  /**
   * How to name the device in an error message when the request itself does not (libdevmapper
   * names the device of a dev_t-addressed load inside create by its name).
   */
  label?: { name?: string; uuid?: string } | undefined;
}
