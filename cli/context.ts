/**
 * What every command gets: its arguments and options, stdout/stderr writers, and the library
 * handle (opened on first use, so `help` or a parse error never touches the kernel).
 */
import { DeviceMapper } from '../lib/index.js';
import type { CliOptions } from './options.js';

export interface Output {
  write(text: string): void;
}

export class CliContext {
  private handle: DeviceMapper | undefined;

  constructor(
    readonly program: string,
    readonly command: string,
    readonly args: string[],
    readonly options: CliOptions,
    readonly stdout: Output,
    readonly stderr: Output,
    readonly stdin: () => string,
  ) {}

  /** The library handle; opens /dev/mapper/control the first time. */
  dm(): DeviceMapper {
    this.handle ??= DeviceMapper.open();
    return this.handle;
  }

  /** One line to stdout. */
  print(line: string): void {
    this.stdout.write(`${line}\n`);
  }

  /** One line to stderr (errors, warnings). */
  error(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
  }
}

/** Thrown by a command after it has printed its own error lines: the run fails with "Command failed." */
export class CommandFailed extends Error {
  constructor() {
    super('Command failed.');
  }
}

/** One tsdmsetup command: its argument counts (dmsetup's table) and its action. */
export interface CommandSpec {
  name: string;
  minArgs: number;
  /** -1: any number. */
  maxArgs: number;
  /** Runs; returns nothing on success, throws CommandFailed or a DmError on failure. */
  run(context: CliContext): void | Promise<void>;
}
