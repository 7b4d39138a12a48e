/** Every tsdmsetup command, by name. */
import type { CommandSpec } from '../context.js';
import { versionCommand } from './version.js';

const all: CommandSpec[] = [versionCommand];

export const commands: ReadonlyMap<string, CommandSpec> = new Map(all.map((spec) => [spec.name, spec]));
