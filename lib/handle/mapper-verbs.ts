/**
 * What the toolkit (handles, the tree, the transaction) needs of a DeviceMapper, as an interface
 * that DeviceMapper satisfies as it is. The toolkit's modules take this instead of importing the
 * facade, so the facade can delegate to them without an import circle.
 */
import type { DeviceId, DevNumber } from '../device/device-id.js';
import type { DeviceInfo } from '../device/device-info.js';
import type { Steps } from '../ioctl/steps.js';
import type {
  CreateOptions,
  ListedDevice,
  LoadOptions,
  RemoveOptions,
  ResumeOptions,
  StatusQueryResult,
  SuspendOptions,
  TableQueryOptions,
  TableOptions,
  TableQueryResult,
} from '../options.js';
import type { TableRow } from '../table/table.js';

type CreateDeviceOptions = CreateOptions & LoadOptions & ResumeOptions;

/** The verbs of a DeviceMapper the toolkit uses (a DeviceMapper is one). */
export interface MapperVerbs {
  /** Runs steps blocking or not (DmIoctl's drivers). */
  readonly ioctl: { perform<T>(steps: Steps<T>): T; performAsync<T>(steps: Steps<T>): Promise<T> };
  /** The `/dev/mapper/<name>` path this handle uses for a device name (DeviceMapper.nodePath). */
  nodePath(name: string): string;
  /** Every device, by name (DeviceMapper.list). */
  list(options?: { uuids?: boolean }): ListedDevice[];
  /** Creates a device without a table (DeviceMapper.create). */
  create(name: string, options?: CreateOptions): DeviceInfo;
  /** Create + load + resume, or no device at all (DeviceMapper.createDevice). */
  createDevice(name: string, rows: readonly TableRow[], options?: CreateDeviceOptions): DeviceInfo;
  /** createDevice() without blocking the event loop. */
  createDeviceAsync(name: string, rows: readonly TableRow[], options?: CreateDeviceOptions): Promise<DeviceInfo>;
  /** Loads `rows` as the inactive table (DeviceMapper.load). */
  load(device: DeviceId, rows: readonly TableRow[], options?: LoadOptions): DeviceInfo;
  /** Drops the inactive table (DeviceMapper.clear). */
  clear(device: DeviceId): DeviceInfo;
  /** Suspends the device (DeviceMapper.suspend). */
  suspend(device: DeviceId, options?: SuspendOptions): DeviceInfo;
  /** suspend() without blocking the event loop. */
  suspendAsync(device: DeviceId, options?: SuspendOptions): Promise<DeviceInfo>;
  /** Resumes the device, swapping in an inactive table first (DeviceMapper.resume). */
  resume(device: DeviceId, options?: ResumeOptions): DeviceInfo;
  /** resume() without blocking the event loop. */
  resumeAsync(device: DeviceId, options?: ResumeOptions): Promise<DeviceInfo>;
  /** Removes the device (DeviceMapper.remove). */
  remove(device: DeviceId, options?: RemoveOptions): void;
  /** remove() without blocking the event loop. */
  removeAsync(device: DeviceId, options?: RemoveOptions): Promise<void>;
  /** Renames the device (DeviceMapper.rename). */
  rename(device: DeviceId, newName: string): DeviceInfo;
  /** The device's state; DmError ENXIO when it does not exist (DeviceMapper.info). */
  info(device: DeviceId, options?: { inactive?: boolean }): DeviceInfo;
  /** The device's state, or undefined when it does not exist (DeviceMapper.tryInfo). */
  tryInfo(device: DeviceId): DeviceInfo | undefined;
  /** The devices the table uses (DeviceMapper.deps). */
  deps(device: DeviceId, options?: { inactive?: boolean }): { info: DeviceInfo; deps: DevNumber[] };
  /** Each target's status (DeviceMapper.status). */
  status(device: DeviceId, options?: TableQueryOptions): StatusQueryResult;
  /** The table as loaded (DeviceMapper.table). */
  table(device: DeviceId, options?: TableOptions): TableQueryResult;
  /** Sends a target message; returns the reply text, if any (DeviceMapper.message). */
  message(device: DeviceId, sector: number | bigint, message: string): string | undefined;
  /** Waits for the device's event counter to pass `eventNr`, blocking (DeviceMapper.waitEvent). */
  waitEvent(device: DeviceId, eventNr: number, options?: TableQueryOptions): StatusQueryResult;
  /** waitEvent() on the handle's poll thread (DeviceMapper.waitEventAsync). */
  waitEventAsync(device: DeviceId, eventNr: number, options?: TableQueryOptions): Promise<StatusQueryResult>;
}
