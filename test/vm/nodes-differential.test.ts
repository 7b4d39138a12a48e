/**
 * /dev/mapper node state, ours against Debian's dmsetup with DM_DISABLE_UDEV=1 (where libdevmapper
 * keeps nodes itself): the same command sequence runs with each tool from the same clean state, and
 * after every step the nodes (type, device number, mode, owner) and the tool's stdout and exit
 * status must be the same.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runDmsetup, runTsdmsetup, type ProcessResult } from '../helpers/cli.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';

const names = deviceNames('nodediff');
const [A, A2, B, D, E, R, STALE] = ['a', 'a2', 'b', 'd', 'e', 'r', 'stale'].map(names.of) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];

type Step = { args: string[] } | { shell: string };

/** The sequence, from node-making to node-repairing to removal. */
const steps: Step[] = [
  { args: ['create', A, '--table', '0 2048 zero'] },
  { args: ['create', B, '--notable'] },
  { args: ['load', B, '--table', '0 1024 zero'] },
  { args: ['resume', B] },
  { args: ['rename', A, A2] },
  { args: ['-U', '12', '-G', '34', '-M', '600', 'create', E, '--table', '0 8 zero'] },
  { args: ['create', D, '--notable', '--addnodeoncreate'] },
  { args: ['create', R, '--readahead', '1024', '--table', '0 4096 zero'] },
  { args: ['info', R] },
  { args: ['suspend', R] },
  { args: ['resume', R, '--readahead', '+2048'] },
  { args: ['info', R] },
  // Damage: a node gone, a node with a wrong number, a stale regular file.
  { shell: `rm /dev/mapper/${B}; rm /dev/mapper/${A2}; mknod /dev/mapper/${A2} b 7 99; touch /dev/mapper/${STALE}` },
  { args: ['mknodes', A2] },
  { args: ['mknodes'] },
  { args: ['remove', A2] },
  { args: ['remove', B] },
  { args: ['remove', D] },
  { args: ['remove', E] },
  { args: ['remove', R] },
  { args: ['mknodes', B] },
];

interface StepRecord {
  step: string;
  result?: ProcessResult;
  nodes: string[];
}

/** `name type mode owner:group major:minor` of every test entry in /dev/mapper. */
function snapshotNodes(): string[] {
  if (!existsSync('/dev/mapper')) return [];
  const entries = readdirSync('/dev/mapper').filter((entry) => entry.startsWith(names.prefix)).sort();
  return entries.map((entry) =>
    execFileSync('stat', ['-c', '%n %F %a %u:%g %t:%T', `/dev/mapper/${entry}`], { encoding: 'utf8' }).trim(),
  );
}

function runSequence(run: (args: string[]) => ProcessResult): StepRecord[] {
  return steps.map((step) => {
    if ('shell' in step) {
      execFileSync('sh', ['-c', step.shell]);
      return { step: step.shell, nodes: snapshotNodes() };
    }
    const result = run(step.args);
    return { step: step.args.join(' '), result: { ...result, stderr: '' }, nodes: snapshotNodes() };
  });
}

const env = { DM_DISABLE_UDEV: '1' };

afterEach(() => removeDevicesWithPrefix(names.prefix));

describe('node state against dmsetup (DM_DISABLE_UDEV=1)', () => {
  it('is the same after create, load+resume, rename, -U/-G/-M, --addnodeoncreate, --readahead, mknodes and remove', () => {
    const theirs = runSequence((args) => runDmsetup(args, { env }));
    removeDevicesWithPrefix(names.prefix);
    const ours = runSequence((args) => runTsdmsetup(args, { env }));
    // Compare step by step, so a failure names the step.
    for (let i = 0; i < steps.length; i++) {
      expect(ours[i], `step ${i + 1}: ${theirs[i]!.step}`).toEqual(theirs[i]);
    }
    // The sequence did exercise nodes (not a comparison of two empty directories).
    expect(theirs[0]!.nodes).toHaveLength(1);
    expect(theirs[6]!.nodes.length).toBeGreaterThanOrEqual(4);
  });
});
