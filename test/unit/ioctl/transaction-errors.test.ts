/**
 * A udev transaction (the cookie wrapped around one ioctl) is always closed, whatever fails: a
 * reply whose name the mangling refuses after the ioctl succeeded ends it (udev owes its event for
 * what the kernel did; cancelling would take back a reference udev's rule takes back as well), a
 * failure before anything reached the kernel (an abort at the send, a transport that throws)
 * cancels it, and the ioctl's own failure cancels it as before. Driven through DmIoctl's
 * transaction seam with a scripted transport; the VM's udev tests show the cookie's real life.
 */
import { describe, expect, it } from 'vitest';
import { DmRequest } from '../../../native-defs/index.js';
import { DmIoctl, DmError, NameCodec, NameManglingError, type IoctlTransaction, type Transport } from '../../../lib/index.js';
import { answer, ScriptedTransport, type Answer } from '../../helpers/scripted-transport.js';
import { caught, rejected } from '../../helpers/dm-error.js';

/** What happened to each transaction begun: `end <kernel name>` or `cancel`. */
function recorder(ioctl: DmIoctl): string[] {
  const events: string[] = [];
  ioctl.transactions = (spec): IoctlTransaction => {
    events.push(`begin ${spec.command}`);
    return {
      eventNr: 0x0d4d0001,
      cancel: () => void events.push('cancel'),
      *end(reply) {
        events.push(`end ${reply.name}`);
      },
    };
  };
  return events;
}

function handle(script: Answer[], transport?: Transport): { ioctl: DmIoctl; events: string[] } {
  const ioctl = new DmIoctl(3, { transport: transport ?? new ScriptedTransport(script), names: new NameCodec('auto') });
  return { ioctl, events: recorder(ioctl) };
}

const RESUME = { command: 'DEV_SUSPEND', operation: 'resume', device: { name: 'a' } } as const;
/** A name as the kernel might hold it that auto mode refuses to unmangle (mangled twice). */
const TWICE_MANGLED = 'a\\x5cx20';
const nameOf = (_: Buffer, header: { name: string }): string => header.name;

describe('a udev transaction after a reply that cannot be decoded', () => {
  it('is ended (not left open, not cancelled) when the name in a successful reply is refused, blocking', () => {
    const { ioctl, events } = handle([answer.device(TWICE_MANGLED)]);
    const error = caught(() => ioctl.run(RESUME, nameOf));
    expect(error).toBeInstanceOf(NameManglingError);
    expect(error).toMatchObject({ kind: 'parse', code: 'EINVAL' });
    expect(events).toEqual(['begin DEV_SUSPEND', `end ${TWICE_MANGLED}`]);
  });

  it('the same through the async driver', async () => {
    const { ioctl, events } = handle([answer.device(TWICE_MANGLED)]);
    const error = await rejected(ioctl.runAsync(RESUME, nameOf));
    expect(error).toBeInstanceOf(NameManglingError);
    expect(events).toEqual(['begin DEV_SUSPEND', `end ${TWICE_MANGLED}`]);
  });

  it('is ended when the decoder itself throws after the ioctl; the decoder\'s error is the one reported', () => {
    const { ioctl, events } = handle([answer.device('a')]);
    const error = caught(() =>
      ioctl.run(RESUME, () => {
        throw new DmError('bad reply', { kind: 'protocol', code: 'EPROTO' });
      }),
    );
    expect(error).toMatchObject({ message: 'bad reply', code: 'EPROTO' });
    expect(events).toEqual(['begin DEV_SUSPEND', 'end a']);
  });

  it('keeps the first error when ending the transaction fails too', () => {
    const { ioctl } = handle([answer.device(TWICE_MANGLED)]);
    const ends: string[] = [];
    ioctl.transactions = () => ({
      eventNr: 1,
      cancel: () => void ends.push('cancel'),
      *end() {
        ends.push('end');
        throw new Error('udev wait failed');
      },
    });
    expect(caught(() => ioctl.run(RESUME, nameOf))).toBeInstanceOf(NameManglingError);
    expect(ends).toEqual(['end']);
  });
});

describe('a udev transaction when nothing reached the kernel', () => {
  it('is cancelled when the signal was aborted before the send (ECANCELED)', async () => {
    const transport = new ScriptedTransport([answer.device('a')]);
    const { ioctl, events } = handle([], transport);
    ioctl.driverVersion(); // asked first, so the aborted signal stops the resume itself
    const error = await rejected(ioctl.runAsync(RESUME, nameOf, AbortSignal.abort()));
    expect(error).toMatchObject({ kind: 'cancelled', code: 'ECANCELED' });
    expect(events).toEqual(['begin DEV_SUSPEND', 'cancel']);
    expect(transport.commands).toEqual([]);
  });

  it('is cancelled when the transport throws at the send', () => {
    const scripted = new ScriptedTransport([]);
    const broken: Transport = {
      send: (fd, request, buffer) => (request === DmRequest.VERSION ? scripted.send(fd, request, buffer) : thrower()),
      sendAsync: async () => thrower(),
      close: () => {},
    };
    const { ioctl, events } = handle([], broken);
    let error: unknown;
    try {
      ioctl.run(RESUME, nameOf);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toMatchObject({ message: 'transport broke' });
    expect(events).toEqual(['begin DEV_SUSPEND', 'cancel']);
  });

  it('is cancelled on the ioctl\'s own failure, and ended once on success', () => {
    const { ioctl, events } = handle([answer.errno(6), answer.device('a')]);
    expect(caught(() => ioctl.run(RESUME, nameOf))).toMatchObject({ kind: 'ioctl', code: 'ENXIO' });
    expect(ioctl.run(RESUME, nameOf)).toBe('a');
    expect(events).toEqual(['begin DEV_SUSPEND', 'cancel', 'begin DEV_SUSPEND', 'end a']);
  });
});

function thrower(): never {
  throw new Error('transport broke');
}
