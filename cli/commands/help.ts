/**
 * `help [-c|-C|--columns]`: the usage (stderr), and with -c the report fields too. With --json,
 * instead, `{"documents": [{command, variant?, schema}]}` on stdout: the schema of every --json
 * document (cli/json-schemas.ts).
 */
import type { CommandSpec } from '../context.js';
import { JSON_DOCUMENTS } from '../json-schemas.js';
import { fieldHelpLines } from '../report/fields.js';
import { usageText } from '../usage.js';

export const helpCommand: CommandSpec = {
  name: 'help',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    if (context.options.json) return context.jsonSet('documents', JSON_DOCUMENTS);
    context.stderr.write(usageText(context.program));
    if (!context.columns) return;
    for (const line of fieldHelpLines()) context.error(line);
    context.error(' ');
  },
};
