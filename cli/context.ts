/**
 * What every command gets: its arguments and options, stdout/stderr writers, the library handle
 * (opened on first use, so `help` or a parse error never touches the kernel), and the shared
 * output state of one run (the -c report, the --json document).
 */
import type { DeviceMapper, DeviceMapperOptions, NameMangling } from '../lib/index.js';
import { library } from './library.js';
import { runNameMangling } from './mangle.js';
import { libraryOptionsFrom } from './library-options.js';
import { BaseContext } from './base-context.js';
import type { CliOptions, DevNameType } from './options.js';
import type { Report } from './report/report.js';
import type { TreeOptions } from './tree-view.js';

import type { Output } from './base-context.js';

/**
 * Where a run's library handle comes from when it is not its own (`--batch`: many runs share
 * the handles of one process). The handle is the source's to close, not the run's.
 */
export interface HandleSource {
  /** A handle opened with `options`; its warnings go to `warn` while the current run uses it. */
  handle(options: DeviceMapperOptions, warn: (message: string) => void): DeviceMapper;
}

export type { Output } from './base-context.js';
export { CommandFailed } from './base-context.js';

export class CliContext extends BaseContext {
  private handle: DeviceMapper | undefined;
  /** dmsetup's multiple_devices: prefix table/status/deps lines with `NAME: `. */
  multipleDevices = false;
  /** The -c/-C/--columns report, when one was asked for. */
  report: Report | undefined;
  /** How deps and ls print device numbers (`-o devno|blkdevname|devname`). */
  devNameType: DevNameType = 'devno';
  /** `--tree`: what `ls --tree` shows (`-o` tree words). */
  treeOptions: TreeOptions | undefined;
  /** `table --concise` printed a device: devices are then separated by `;`, and the line ends once. */
  conciseOutputProduced = false;
  /** -c/-C/--columns, or a command that always reports (splitname): the output is a report. */
  columns: boolean;
  /**
   * --noflush and --nolockfs for this run's suspends and resumes; `remove -f` turns both on for
   * the rest of the run once it has loaded an error table (dmsetup's "avoid hang on flushing").
   */
  noFlush: boolean;
  noLockfs: boolean;
  /**
   * `-S` on a command that picks its devices by selection (dmsetup's repeatable 2: remove,
   * suspend, table, …): the run is `info -c` with the selection, and this command runs for each
   * device selected (dmsetup's _selection_cmd).
   */
  selectionCommand: CommandSpec | undefined;
  /** When -vvv's timestamps count from. */
  private debugStart: bigint | undefined;

  constructor(
    program: string,
    command: string,
    args: string[],
    options: Readonly<CliOptions>,
    stdout: Output,
    stderr: Output,
    stdin: () => string,
    private readonly handles?: HandleSource,
  ) {
    super(program, command, args, options, stdout, stderr, stdin);
    // dmsetup turns -c on for splitname, which always reports with its own default fields.
    this.columns = Boolean(options.columns) || command === 'splitname';
    this.noFlush = Boolean(options.noflush);
    this.noLockfs = Boolean(options.nolockfs);
  }

  /** The run's name mangling (--manglename, DM_DEFAULT_NAME_MANGLING_MODE, auto; none for `mangle`). */
  get nameMangling(): NameMangling {
    return runNameMangling(this.options, this.command);
  }

  /** The library handle; opens /dev/mapper/control the first time, with the options dmsetup's switches imply. */
  dm(): DeviceMapper {
    // The library's warnings (udev too slow, udev's node wrong) are the command's stderr lines.
    const warn = (message: string): void => this.error(message);
    this.handle ??= this.handles ? this.handles.handle(this.handleOptions(), warn) : library().DeviceMapper.open({ ...this.handleOptions(), onWarning: warn });
    return this.handle;
  }

  /**
   * `<devDir>/mapper/<name>`: the handle's node path (`dm.nodePath`). Before the handle is open it
   * is the path the handle will use (same DM_DEV_DIR): a path argument is resolved before any
   * ioctl, as dmsetup does, so that a bad path fails without touching the kernel.
   */
  nodePath(name: string): string {
    if (this.handle) return this.handle.nodePath(name);
    const { DeviceNodes, resolveDevDir } = library();
    return new DeviceNodes(resolveDevDir(this.handleOptions().devDir)).pathOf(name);
  }

  /** Closes the handle this run opened (a borrowed one stays open for the next run). */
  close(): void {
    if (!this.handles) this.handle?.close();
    this.handle = undefined;
  }

  /**
   * The node options (-U/-G/-M, --addnodeoncreate, DM_DEV_DIR); main has checked their values.
   * Unlike dmsetup, the library makes sure a table's target types are loaded (modprobing them when
   * the kernel cannot), so an unknown type fails, with its name, before any device is made.
   */
  private handleOptions(): DeviceMapperOptions {
    const options: DeviceMapperOptions = { ...libraryOptionsFrom(this.options), nameMangling: this.nameMangling };
    if (this.options.verbose >= 2) options.onDebug = (line) => this.debug(line);
    return options;
  }

  /**
   * A debug line (-vv and up), to stdout as libdm's default logger prints them; -vvv puts a
   * `Timestamp:` line (seconds since the run's first debug line) before each ioctl's line.
   */
  debug(line: string): void {
    if (this.options.verbose < 2) return;
    if (this.options.verbose >= 3) {
      const now = process.hrtime.bigint();
      this.debugStart ??= now;
      if (line.startsWith('dm ') || now === this.debugStart) this.print(`Timestamp: ${timestamp(now - this.debugStart)} seconds`);
    }
    this.print(line);
  }
}

/** libdm's `%7llu.%09llu` of a duration in nanoseconds. */
function timestamp(ns: bigint): string {
  return `${(ns / 1_000_000_000n).toString().padStart(7)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/** One tsdmsetup command: its argument counts (dmsetup's table) and its action. */
export interface CommandSpec {
  name: string;
  minArgs: number;
  /** -1: any number. */
  maxArgs: number;
  /**
   * dmsetup's repeatable flag: 0 runs once with all arguments; 1 or 2 run once per argument (or
   * once with none), stopping at the first failure (2: dmsetup also allows --select).
   */
  repeatable?: 0 | 1 | 2;
  /** Runs; returns nothing on success, throws CommandFailed or a DmError on failure. */
  run(context: CliContext): void | Promise<void>;
}

/** A command that needs no library handle (the udev commands): it can run on a BaseContext. */
export interface LightCommandSpec extends CommandSpec {
  run(context: BaseContext): void | Promise<void>;
}
