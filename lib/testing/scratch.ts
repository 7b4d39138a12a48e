/**
 * ScratchKit: throw-away loop devices on sparse files in a temporary directory, and
 * device-mapper devices under a name prefix, for kernel tests; all removed by cleanup(), which
 * `using`/`await using` or an afterEach hook runs even when the test threw. (util-linux's and
 * lvm2's test suites keep the same kind of fixture in shell; devicemapper-rs has `test_with_spec`.)
 *
 * Scratch loop devices are attached with autoClear and held open by the kit: if the test process
 * dies before cleanup, the kernel unbinds them by itself (once no DM table holds them).
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceMapper } from '../device-mapper.js';
import { DmError, invalidArgument, isDmError } from '../errors.js';
import { validateName } from '../device/names.js';
import { LoopDevice, type LoopAttachOptions } from '../host/loop.js';
import { sleep, sleepSync } from '../sleep.js';
import { teardownPlan, type Leftover, type TeardownStep } from './teardown.js';

/** Options of `scratch()`, `scratchSync()` and `new ScratchKit()`. */
export interface ScratchOptions {
  /**
   * Name prefix of the device-mapper devices the kit owns: cleanup() removes every device whose
   * name starts with it, whoever made it. At least 3 characters (a shorter one would sweep up
   * devices that are not the test's). Without a prefix the kit leaves device-mapper alone.
   */
  prefix?: string;
  /** Where the kit's temporary directory goes (default `os.tmpdir()`). */
  tmpDir?: string;
  /** The DeviceMapper handle to use; default one the kit opens when first needed and closes in cleanup(). */
  dm?: DeviceMapper;
}

const MIB = 1024 * 1024;

/** Scratch devices for one test (or one file, with cleanup() after each test). */
export class ScratchKit implements Disposable, AsyncDisposable {
  /** The name prefix of the devices the kit owns, or undefined (then cleanup leaves device-mapper alone). */
  readonly prefix: string | undefined;
  private readonly tmpDir: string;
  private readonly givenDm: DeviceMapper | undefined;
  private ownDm: DeviceMapper | undefined;
  private directory: string | undefined;
  private readonly loops: LoopDevice[] = [];
  private files = 0;

  /**
   * A kit that owns nothing yet. Throws DmError kind 'invalid-argument' for a prefix that is not a
   * valid device name or is shorter than 3 characters.
   */
  constructor(options: ScratchOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('Scratch options must be an object');
    if (options.prefix !== undefined) {
      validateName(options.prefix, 'scratch device-name prefix');
      if (options.prefix.length < 3) {
        throw invalidArgument(`The scratch device-name prefix "${options.prefix}" is too short: cleanup would remove every device whose name starts with it; use at least 3 characters`);
      }
    }
    this.prefix = options.prefix;
    this.tmpDir = options.tmpDir ?? tmpdir();
    this.givenDm = options.dm;
  }

  /** The kit's temporary directory, made on first use (a new one after each cleanup). */
  get dir(): string {
    this.directory ??= mkdtempSync(join(this.tmpDir, 'tsdm-scratch-'));
    return this.directory;
  }

  /** The DeviceMapper handle: the one given, or the kit's own, opened now if needed. */
  get dm(): DeviceMapper {
    if (this.givenDm) return this.givenDm;
    this.ownDm ??= DeviceMapper.open();
    return this.ownDm;
  }

  /** `<prefix><suffix>`: a device name the kit will remove. */
  name(suffix: string): string {
    if (this.prefix === undefined) throw invalidArgument('This scratch kit has no device-name prefix: pass { prefix } to scratch()');
    const name = `${this.prefix}${suffix}`;
    validateName(name);
    return name;
  }

  /** A new sparse file of `sizeMiB` in the kit's directory (a multiple of 512 bytes). */
  file(sizeMiB: number): string {
    const bytes = sizeMiB * MIB;
    if (typeof sizeMiB !== 'number' || !Number.isSafeInteger(bytes) || bytes <= 0 || bytes % 512 !== 0) {
      throw invalidArgument(`A scratch file's size must be a positive number of MiB that is a whole number of 512-byte sectors (got ${String(sizeMiB)})`);
    }
    const path = join(this.dir, `disk-${++this.files}.img`);
    writeFileSync(path, '');
    truncateSync(path, bytes);
    return path;
  }

  /**
   * A loop device over a new sparse file of `sizeMiB`, detached by cleanup(). `options` as for
   * LoopDevice.attach; autoClear defaults to true here.
   */
  loop(sizeMiB: number, options: LoopAttachOptions = {}): LoopDevice {
    return this.attach(this.file(sizeMiB), options);
  }

  /** A loop device over `file` (any file or block device), detached by cleanup(); autoClear defaults to true. */
  attach(file: string, options: LoopAttachOptions = {}): LoopDevice {
    const loop = LoopDevice.attach(file, { autoClear: true, ...options });
    this.loops.push(loop);
    return loop;
  }

  /**
   * Removes the prefix's device-mapper devices, detaches the kit's loop devices (newest first),
   * closes the kit's own handle and deletes the temporary directory. Does everything it can even
   * when a step fails, then throws one DmError naming all that is left. The kit can be used again.
   */
  cleanupSync(): void {
    const report = new Report();
    const plan = this.devicePlan(report);
    if (plan) {
      try {
        let step = plan.next();
        while (!step.done) step = plan.next(runSync(this.dm, step.value));
        report.leftovers(step.value);
      } catch (error) {
        report.failed('listing devices', error);
      }
    }
    this.releaseRest(report);
  }

  /** cleanupSync(), with removals that do not block the event loop. */
  async cleanup(): Promise<void> {
    const report = new Report();
    const plan = this.devicePlan(report);
    if (plan) {
      try {
        let step = plan.next();
        while (!step.done) step = plan.next(await runAsync(this.dm, step.value));
        report.leftovers(step.value);
      } catch (error) {
        report.failed('listing devices', error);
      }
    }
    this.releaseRest(report);
  }

  /** cleanupSync(), for `using kit = scratchSync(…)`. */
  [Symbol.dispose](): void {
    this.cleanupSync();
  }

  /** cleanup(), for `await using kit = await scratch(…)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.cleanup();
  }

  /** The teardown plan, or undefined when there is no prefix or no device-mapper to clean. */
  private devicePlan(report: Report): ReturnType<typeof teardownPlan> | undefined {
    if (this.prefix === undefined) return undefined;
    try {
      return teardownPlan(this.dm, this.prefix);
    } catch (error) {
      // No driver: then no device can exist under the prefix either.
      if (!(isDmError(error) && error.kind === 'no-driver')) report.failed('opening device-mapper', error);
      return undefined;
    }
  }

  /** Loops, the own handle, the directory; then one error for everything that went wrong. */
  private releaseRest(report: Report): void {
    for (const loop of this.loops.splice(0).reverse()) {
      try {
        if (loop.detach() === 'deferred') report.problem(`${loop.path} is still open elsewhere; the kernel detaches it when that closes`);
      } catch (error) {
        report.failed(`detaching ${loop.path}`, error);
      }
    }
    try {
      this.ownDm?.close();
    } catch (error) {
      report.failed('closing the device-mapper handle', error);
    }
    this.ownDm = undefined;
    if (this.directory) {
      try {
        rmSync(this.directory, { recursive: true, force: true });
      } catch (error) {
        report.failed(`deleting ${this.directory}`, error);
      }
      this.directory = undefined;
    }
    report.throwIfAny();
  }
}

/** What a clean-up could not do, thrown at the end as one DmError. */
class Report {
  private readonly problems: string[] = [];
  private readonly errors: unknown[] = [];

  problem(text: string): void {
    this.problems.push(text);
  }

  failed(what: string, error: unknown): void {
    this.problems.push(`${what} failed: ${(error as Error)?.message ?? String(error)}`);
    this.errors.push(error);
  }

  leftovers(leftovers: Leftover[]): void {
    for (const left of leftovers) {
      const why = left.error instanceof Error ? left.error.message : 'still present';
      this.problems.push(`device ${left.name} could not be removed (${why})${left.deferred ? '; a deferred removal is scheduled' : ''}`);
      if (left.error !== undefined) this.errors.push(left.error);
    }
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const first = this.errors.find((e): e is DmError => e instanceof DmError);
    throw new DmError(`Scratch clean-up left things behind: ${this.problems.join('; ')}`, {
      kind: first?.kind ?? 'loop',
      code: first?.code ?? 'EBUSY',
      errno: first?.errno ?? 16,
      cause: this.errors.length > 0 ? new AggregateError(this.errors) : undefined,
    });
  }
}

function runSync(dm: DeviceMapper, step: TeardownStep): unknown {
  if ('sleep' in step) return sleepSync(step.sleep);
  try {
    dm.remove(step.dev ?? { name: step.remove }, { deferred: step.deferred });
    return undefined;
  } catch (error) {
    return error;
  }
}

async function runAsync(dm: DeviceMapper, step: TeardownStep): Promise<unknown> {
  if ('sleep' in step) return sleep(step.sleep);
  try {
    await dm.removeAsync(step.dev ?? { name: step.remove }, { deferred: step.deferred });
    return undefined;
  } catch (error) {
    return error;
  }
}

/** A scratch kit; use it with `await using kit = await scratch({ prefix })`, or call cleanup() in afterEach. */
export async function scratch(options: ScratchOptions = {}): Promise<ScratchKit> {
  return new ScratchKit(options);
}

/** scratch(), for synchronous code (`using kit = scratchSync({ prefix })`). */
export function scratchSync(options: ScratchOptions = {}): ScratchKit {
  return new ScratchKit(options);
}
