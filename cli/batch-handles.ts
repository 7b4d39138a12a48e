/**
 * The library handles of a `--batch` run: one per set of node and udev options (-U/-G/-M,
 * --addnodeoncreate, the udev switches, DM_DEV_DIR), opened by the first line that talks to the
 * kernel and kept for the rest of the run, so a batch of lines with the same options uses one
 * control handle and pays its open once. Closed when the batch ends.
 */
import { DeviceMapper, type DeviceMapperOptions } from '../lib/index.js';
import type { HandleSource } from './context.js';

interface Entry {
  dm: DeviceMapper;
  /** Where the handle's warnings go: the stderr of the line using it now. */
  warn: (message: string) => void;
  /** Where its debug lines go (-vv): the stdout of the line using it now. */
  debug: ((line: string) => void) | undefined;
}

/** The handles of one batch run. */
export class BatchHandles implements HandleSource {
  private readonly byOptions = new Map<string, Entry>();
  private openedCount = 0;

  handle(options: DeviceMapperOptions, warn: (message: string) => void): DeviceMapper {
    // A handle that logs (-vv) is not one that does not: the hook is part of the key.
    const key = JSON.stringify({ ...options, onDebug: options.onDebug !== undefined });
    let entry = this.byOptions.get(key);
    if (!entry) {
      const made: Entry = { dm: undefined as unknown as DeviceMapper, warn, debug: options.onDebug };
      const onDebug = options.onDebug && ((line: string): void => made.debug?.(line));
      made.dm = DeviceMapper.open({ ...options, onWarning: (message) => made.warn(message), ...(onDebug && { onDebug }) });
      this.openedCount++;
      this.byOptions.set(key, made);
      entry = made;
    }
    entry.warn = warn;
    entry.debug = options.onDebug;
    return entry.dm;
  }

  /** How many control handles the run has opened (one for a batch of like lines), closed ones included. */
  get opened(): number {
    return this.openedCount;
  }

  close(): void {
    for (const { dm } of this.byOptions.values()) dm.close();
    this.byOptions.clear();
  }
}
