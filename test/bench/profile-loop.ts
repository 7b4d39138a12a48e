/**
 * The program `npm run bench -- --profile` runs under `node --cpu-prof` in the guest: one hot loop
 * of our library, `info` or `list`, `N` times, against the bench devices already made.
 */
import { DeviceMapper } from '../../lib/index.js';
import { NAMES } from './fixture.js';

const [what, count] = process.argv.slice(2);
const n = Number(count);
const dm = DeviceMapper.open({ nodes: true });
try {
  let sink = 0;
  for (let i = 0; i < n; i++) sink += what === 'list' ? dm.list().length : dm.info({ name: NAMES.linear }).openCount;
  process.stdout.write(`${sink}\n`);
} finally {
  dm.close();
}
