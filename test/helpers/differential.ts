/**
 * The differential runner of the VM suites: a scenario's steps run with Debian's dmsetup from a
 * clean state, its devices are removed, then the same steps run with tsdmsetup (so both get the
 * same device numbers), and every step's exit status, stdout and stderr must be the same, the
 * program name in messages aside. Both run with DM_DISABLE_UDEV=1 (and a step's own environment).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { expect } from 'vitest';
import { runDmsetup, runTsdmsetup } from './cli.js';
import { removeDevicesWithPrefix } from './devices.js';

/** One step: a tool invocation, a shell command, or opening/closing a device node (to make it busy). */
export type Step =
  | { args: string[]; input?: string; env?: Record<string, string> }
  /** A shell command; with `capture`, its stdout is compared too (e.g. `ls /dev/mapper`). */
  | { shell: string; capture?: boolean }
  | { hold: string }
  | { release: true };

export interface StepResult {
  step: string;
  status?: number;
  stdout?: string;
  stderr?: string;
}

export type Tool = 'dmsetup' | 'tsdmsetup';

/** The environment both tools run with. */
export const DIFFERENTIAL_ENV = { DM_DISABLE_UDEV: '1' };

/** An invocation step. */
export const cmd = (...args: string[]): Step => ({ args });

/** Our messages name our program; dmsetup's name dmsetup. Nothing else is normalised. */
export function normalise(text: string): string {
  return text.replace(/\btsdmsetup\b/g, 'dmsetup');
}

/** A runner for one test file's scenarios, whose devices all start with `prefix`. */
export class Differential {
  private held: number[] = [];
  /** Tool invocations compared so far (each counted once, though both tools run it). */
  invocations = 0;

  constructor(readonly prefix: string) {}

  /** Prints this file's tally (`<file>: N differential invocations`), for the suite's total. */
  printTally(file: string): void {
    console.log(`${file}: ${this.invocations} differential invocations`);
  }

  /** Closes the nodes `hold` steps opened. */
  releaseAll(): void {
    for (const fd of this.held) closeSync(fd);
    this.held = [];
  }

  /** Releases what is held and removes the file's devices (for afterEach). */
  cleanUp(): void {
    this.releaseAll();
    removeDevicesWithPrefix(this.prefix);
  }

  runStep(tool: Tool, step: Step): StepResult {
    if ('shell' in step) {
      const stdout = execFileSync('sh', ['-c', step.shell], { encoding: 'utf8', env: { ...process.env, ...DIFFERENTIAL_ENV } });
      return step.capture ? { step: `sh: ${step.shell}`, stdout } : { step: `sh: ${step.shell}` };
    }
    if ('hold' in step) {
      this.held.push(openSync(`/dev/mapper/${step.hold}`, 'r'));
      return { step: `hold ${step.hold}` };
    }
    if ('release' in step) {
      this.releaseAll();
      return { step: 'release' };
    }
    const run = tool === 'dmsetup' ? runDmsetup : runTsdmsetup;
    const result = run(step.args, { env: { ...DIFFERENTIAL_ENV, ...step.env }, input: step.input ?? '' });
    const env = step.env ? `${Object.entries(step.env).map(([k, v]) => `${k}=${v} `).join('')}` : '';
    return {
      step: `${env}${step.args.join(' ')}`,
      status: result.status,
      stdout: normalise(result.stdout),
      stderr: normalise(result.stderr),
    };
  }

  runWith(tool: Tool, steps: Step[]): StepResult[] {
    try {
      return steps.map((step) => this.runStep(tool, step));
    } finally {
      this.cleanUp();
    }
  }

  /**
   * Runs `steps` with both tools from the same clean state; exit status and stderr must be the
   * same, and of stdout the lines `keep` picks (for output that "need not match byte for byte":
   * `-vv`'s debug lines, where libdm logs lines we have no counterpart for).
   */
  expectSameLinesAsDmsetup(steps: Step[], keep: (line: string) => boolean): StepResult[] {
    const kept = (results: StepResult[]): StepResult[] =>
      results.map((result) => (result.stdout === undefined ? result : { ...result, stdout: result.stdout.split('\n').filter(keep).join('\n') }));
    removeDevicesWithPrefix(this.prefix);
    const theirs = this.runWith('dmsetup', steps);
    const ours = this.runWith('tsdmsetup', steps);
    this.invocations += steps.filter((step) => 'args' in step).length;
    expect(kept(ours)).toEqual(kept(theirs));
    return theirs;
  }

  /** Runs `steps` with both tools from the same clean state and compares them step by step. */
  expectSameAsDmsetup(steps: Step[]): StepResult[] {
    removeDevicesWithPrefix(this.prefix);
    const theirs = this.runWith('dmsetup', steps);
    const ours = this.runWith('tsdmsetup', steps);
    this.invocations += steps.filter((step) => 'args' in step).length;
    expect(ours).toEqual(theirs);
    return theirs;
  }
}
