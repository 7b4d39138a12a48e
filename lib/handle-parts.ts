/**
 * What `DeviceMapper.open()` assembles around an open control node, from its options: who keeps
 * the /dev/mapper nodes, the ioctl core with its name mangling and kernel-log hook, and the
 * target-module check. Kept out of the facade so that it stays one short method per verb.
 */
import { resolveDevDir } from './host/control.js';
import { chooseNodeKeeper } from './host/choose-node-keeper.js';
import { kernelLogMark, kernelLogSince, type KernelLogMark } from './host/kmsg.js';
import type { NodeKeeper } from './host/node-keeper.js';
import type { NodeOwnership } from './host/nodes.js';
import { DmIoctl } from './ioctl/dm-ioctl.js';
import { nameManglingFromEnv } from './names/mangle.js';
import { NameCodec } from './names/name-codec.js';
import { nodeOwnershipOf, type DeviceMapperOptions } from './options.js';
import { TargetCheck } from './targets/modules.js';

/** The parts of one handle. */
export interface HandleParts {
  devDir: string;
  nodeOwnership: NodeOwnership;
  keeper: NodeKeeper;
  ioctl: DmIoctl;
  targetCheck: TargetCheck;
}

/** The parts of a handle on control fd `fd` (-1 with a transport of the caller's). */
export function handleParts(fd: number, options: DeviceMapperOptions): HandleParts {
  const devDir = resolveDevDir(options.devDir);
  const nodeOwnership = nodeOwnershipOf(options);
  const keeper = chooseNodeKeeper({
    nodes: options.nodes ?? 'auto',
    devDir,
    ownership: nodeOwnership,
    addNodeOn: options.addNodeOn ?? 'resume',
    nodeErrors: options.nodeErrors ?? 'throw',
    udevSync: options.udevSync ?? 'cookie',
    udevCookie: options.udevCookie,
    udevTimeoutMs: options.udevTimeoutMs,
    verifyUdev: options.verifyUdev,
    noUdevRules: options.noUdevRules,
    debug: options.onDebug,
    warn: options.onWarning ?? ((message) => process.emitWarning(message, 'DeviceMapperWarning')),
  });
  const ioctl = new DmIoctl(fd, {
    maxBufferSize: options.maxBufferSize,
    transport: options.transport,
    transactions: keeper.transactions,
    names: new NameCodec(options.nameMangling ?? nameManglingFromEnv()),
    debug: options.onDebug,
    noOpenCount: options.noOpenCount,
    kernelLog: options.kernelLog ? { mark: kernelLogMark, since: (mark) => kernelLogSince(mark as KernelLogMark) } : undefined,
  });
  const targetCheck = new TargetCheck(ioctl, { enabled: options.ensureTargets ?? true, modprobe: options.modprobe });
  return { devDir, nodeOwnership, keeper, ioctl, targetCheck };
}
