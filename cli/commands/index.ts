/** Every tsdmsetup command, by name. */
import type { CommandSpec } from '../context.js';
import { createCommand } from './create.js';
import { depsCommand } from './deps.js';
import { helpCommand } from './help.js';
import { infoCommand } from './info.js';
import { loadCommandSpec, reloadCommandSpec } from './load.js';
import { lsCommand } from './ls.js';
import { mangleCommand } from './mangle.js';
import { messageCommand } from './message.js';
import { mknodesCommand } from './mknodes.js';
import { removeAllCommand, removeCommand, wipeTableCommand } from './remove.js';
import { renameCommand } from './rename.js';
import { setGeometryCommand } from './setgeometry.js';
import { splitnameCommand } from './splitname.js';
import { clearCommand, resumeCommand, suspendCommand } from './suspend-resume.js';
import { statusCommand, tableCommand } from './table-status.js';
import { targetsCommand, targetVersionCommand } from './targets.js';
import { versionCommand } from './version.js';
import { waitCommand } from './wait.js';
import { udevCommands } from '../fast-path.js';
import { udevcompleteAllCommand } from './udevcomplete-all.js';

const all: CommandSpec[] = [
  helpCommand,
  createCommand,
  removeCommand,
  removeAllCommand,
  suspendCommand,
  resumeCommand,
  loadCommandSpec,
  clearCommand,
  reloadCommandSpec,
  wipeTableCommand,
  renameCommand,
  messageCommand,
  lsCommand,
  infoCommand,
  depsCommand,
  statusCommand,
  tableCommand,
  waitCommand,
  targetVersionCommand,
  targetsCommand,
  versionCommand,
  setGeometryCommand,
  mknodesCommand,
  mangleCommand,
  splitnameCommand,
  ...udevCommands,
  udevcompleteAllCommand,
];

export const commands: ReadonlyMap<string, CommandSpec> = new Map(all.map((spec) => [spec.name, spec]));
