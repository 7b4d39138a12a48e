/**
 * What every command gets, without the library: its arguments and options, stdout/stderr
 * writers, and the --json document. The udev commands run on this alone (fast-path.ts), so a
 * udev rule's `tsdmsetup udevflags` never loads the library; context.ts adds the handle.
 */
import type { CliOptions } from './options.js';

export interface Output {
  write(text: string): void;
}

export class BaseContext {
  /** The arguments of the current invocation (a repeatable command runs once per device argument). */
  args: string[];
  /** The --json document being built, printed once when the run ends. */
  json: Record<string, unknown> | undefined;

  constructor(
    readonly program: string,
    readonly command: string,
    args: string[],
    readonly options: Readonly<CliOptions>,
    readonly stdout: Output,
    readonly stderr: Output,
    readonly stdin: () => string,
  ) {
    this.args = args;
  }

  /** One line to stdout. */
  print(line: string): void {
    this.stdout.write(`${line}\n`);
  }

  /** One line to stderr (errors, warnings). */
  error(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  /** Prints error lines and fails the command (main then prints `Command failed.`). */
  fail(...lines: string[]): never {
    for (const line of lines) this.error(line);
    throw new CommandFailed();
  }

  /** Appends `item` to the array `key` of the --json document. */
  jsonItem(key: string, item: unknown): void {
    this.json ??= {};
    const list = (this.json[key] ??= []) as unknown[];
    list.push(item);
  }

  /** Prints the --json document, if one was built: one line; a bigint as a number, or a string past 2^53. */
  printJson(): void {
    if (!this.json) return;
    this.print(JSON.stringify(this.json, (_key, value: unknown) => (typeof value === 'bigint' ? exactNumber(value) : value)));
  }

  /** Sets `key` of the --json document. */
  jsonSet(key: string, value: unknown): void {
    this.json ??= {};
    this.json[key] = value;
  }
}

/** A number where JSON carries it exactly, else its decimal string (the schemas say so). */
function exactNumber(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** Thrown by a command after it has printed its own error lines: the run fails with "Command failed." */
export class CommandFailed extends Error {
  constructor() {
    super('Command failed.');
  }
}
