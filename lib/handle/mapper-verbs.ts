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
  TableQueryResult,
} from '../options.js';
import type { TableRow } from '../table/table.js';

type CreateDeviceOptions = CreateOptions & LoadOptions & ResumeOptions;

/** The verbs of a DeviceMapper the toolkit uses (a DeviceMapper is one). */
export interface MapperVerbs {
  /** Runs steps blocking or not (DmIoctl's drivers). */
  readonly ioctl: { perform<T>(steps: Steps<T>): T; performAsync<T>(steps: Steps<T>): Promise<T> };
  nodePath(name: string): string;
  list(options?: { uuids?: boolean }): ListedDevice[];
  create(name: string, options?: CreateOptions): DeviceInfo;
  createDevice(name: string, rows: readonly TableRow[], options?: CreateDeviceOptions): DeviceInfo;
  createDeviceAsync(name: string, rows: readonly TableRow[], options?: CreateDeviceOptions): Promise<DeviceInfo>;
  load(device: DeviceId, rows: readonly TableRow[], options?: LoadOptions): DeviceInfo;
  clear(device: DeviceId): DeviceInfo;
  suspend(device: DeviceId, options?: SuspendOptions): DeviceInfo;
  suspendAsync(device: DeviceId, options?: SuspendOptions): Promise<DeviceInfo>;
  resume(device: DeviceId, options?: ResumeOptions): DeviceInfo;
  resumeAsync(device: DeviceId, options?: ResumeOptions): Promise<DeviceInfo>;
  remove(device: DeviceId, options?: RemoveOptions): void;
  removeAsync(device: DeviceId, options?: RemoveOptions): Promise<void>;
  rename(device: DeviceId, newName: string): DeviceInfo;
  info(device: DeviceId, options?: { inactive?: boolean }): DeviceInfo;
  tryInfo(device: DeviceId): DeviceInfo | undefined;
  deps(device: DeviceId, options?: { inactive?: boolean }): { info: DeviceInfo; deps: DevNumber[] };
  status(device: DeviceId, options?: TableQueryOptions): StatusQueryResult;
  table(device: DeviceId, options?: TableQueryOptions): TableQueryResult;
  message(device: DeviceId, sector: number | bigint, message: string): string | undefined;
  waitEvent(device: DeviceId, eventNr: number, options?: TableQueryOptions): StatusQueryResult;
  waitEventAsync(device: DeviceId, eventNr: number, options?: TableQueryOptions): Promise<StatusQueryResult>;
}
