/**
 * The handle's debug hook (`onDebug`), scripted: the line libdevmapper logs before each ioctl, in
 * its layout (test/vm/cli-differential-options.test.ts holds tsdmsetup -vv to dmsetup -vv's
 * lines in the VM), and `noOpenCount` on every request but the version check.
 */
import { describe, expect, it } from 'vitest';
import { DmFlag } from '../../../native-defs/index.js';
import { DeviceMapper } from '../../../lib/index.js';
import { answer, ScriptedTransport, type Answer } from '../../helpers/scripted-transport.js';

function open(script: Answer[], options: { noOpenCount?: boolean } = {}) {
  const transport = new ScriptedTransport(script);
  const lines: string[] = [];
  const dm = DeviceMapper.open({ nodes: false, ensureTargets: false, nameMangling: 'none', transport, onDebug: (line) => lines.push(line), ...options });
  return { dm, transport, lines };
}

describe('onDebug: libdm\'s line per ioctl', () => {
  it('names the operation, device, flags, message and buffer size as libdm does', () => {
    const { dm, lines } = open([answer.device('a'), answer.device('a'), answer.ok(), answer.device('a'), answer.device('a', 0), answer.ok()]);
    dm.info({ name: 'a' });
    dm.suspend({ name: 'a' }, { noFlush: true, noLockfs: true });
    dm.message({ name: 'a' }, 5n, 'hello');
    dm.rename({ name: 'a' }, 'b');
    dm.info({ major: 254, minor: 0 }, { inactive: true });
    dm.message({ name: 'a' }, 0n, 'key set 0123');
    expect(lines).toEqual([
      'dm version   [ opencount flush ]   [16384] (*1)',
      'dm info a  [ opencount flush ]   [16384] (*1)',
      'dm suspend a  [ opencount noflush skiplockfs ]   [16384] (*1)',
      'dm message a  [ opencount flush ] 5 hello [16384] (*1)',
      'dm rename a  b [ opencount flush ]   [16384] (*1)',
      'dm info   (254:0) [ opencount flush inactive ]   [16384] (*1)',
      'dm message a  [ opencount flush ]  key set [16384] (*1)',
    ]);
  });

  it('a uuid rename says UUID; a read-only load says readonly', () => {
    const { dm, lines } = open([answer.ok(), answer.device('a')]);
    dm.setUuid({ name: 'a' }, 'U-1');
    dm.load({ name: 'a' }, [{ start: 0, length: 8, type: 'zero', params: '' }], { readOnly: true });
    expect(lines.slice(1)).toEqual(['dm rename UUID a  U-1 [ opencount flush ]   [16384] (*1)', 'dm reload a  [ opencount flush readonly ]   [16384] (*1)']);
  });

  it('noOpenCount sends SKIP_BDGET on every request but VERSION, and the line says noopencount', () => {
    const { dm, transport, lines } = open([answer.device('a')], { noOpenCount: true });
    dm.info({ name: 'a' });
    expect(transport.requests.map((request) => [request.command, (request.flags & DmFlag.SKIP_BDGET) !== 0])).toEqual([
      ['VERSION', false],
      ['DEV_STATUS', true],
    ]);
    expect(lines).toEqual(['dm version   [ opencount flush ]   [16384] (*1)', 'dm info a  [ noopencount flush ]   [16384] (*1)']);
  });

  it('is silent without the hook', () => {
    const transport = new ScriptedTransport([answer.device('a')]);
    const dm = DeviceMapper.open({ nodes: false, ensureTargets: false, transport });
    expect(dm.info({ name: 'a' }).name).toBe('a');
    expect(transport.requests[1]!.flags & DmFlag.SKIP_BDGET).toBe(0);
  });
});
