/**
 * systemd-udevd's processed events, heard on a NETLINK_KOBJECT_UEVENT socket bound to udev's
 * multicast group (2): each message is systemd's `monitor_netlink_header` ("libudev", magic
 * 0xfeedcafe in network order) followed by NUL-separated KEY=value properties. No semaphore, no
 * daemon connection: it works across IPC namespaces and leaves nothing behind when we die.
 * Bound to the kernel's group (1) instead, it hears the kernel's own uevents (receiveRaw; their
 * parser is lib/events/kernel-uevents.ts).
 */
import { netlinkLibc } from '../sys/libc.js';
import { POLLIN, PollfdLayout, SockaddrNlLayout, Socket, UDEV_MONITOR_MAGIC, UDEV_MONITOR_PREFIX, UdevMonitorHeaderLayout, UeventGroup } from '../../native-defs/index.js';
import { strerror } from '../sys/errno.js';
import { invalidArgument } from '../errors.js';
import { UdevError } from './errors.js';
import { pollOffLoop } from './offload.js';

const EAGAIN = 11;
const EINTR = 4;
const ENOBUFS = 105;
/** Enough for bursts of events while we are not reading (systemd asks for 128 MiB; 4 MiB do here). */
const RECEIVE_BUFFER = 4 * 1024 * 1024;
/** udevd messages are at most a page or two; 8 KiB is systemd's own limit. */
const MESSAGE_MAX = 8192;

/** The properties of one udevd message, or undefined when it is not one (wrong prefix or magic). */
export function parseUdevMessage(message: Buffer): Map<string, string> | undefined {
  if (!Buffer.isBuffer(message)) throw invalidArgument('parseUdevMessage() needs the message as a Buffer');
  const L = UdevMonitorHeaderLayout;
  if (message.length < L.size) return undefined;
  if (message.toString('latin1', 0, 8) !== `${UDEV_MONITOR_PREFIX}\0`) return undefined;
  if (message.readUInt32BE(L.magic) !== UDEV_MONITOR_MAGIC) return undefined;
  const offset = message.readUInt32LE(L.properties_off);
  const length = message.readUInt32LE(L.properties_len);
  if (offset < L.size || offset + length > message.length) return undefined;
  const properties = new Map<string, string>();
  for (const entry of message.toString('utf8', offset, offset + length).split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) properties.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return properties;
}

/** An open, bound monitor socket. Close it when done (it holds one fd). */
export class UeventSocket {
  private readonly libc = netlinkLibc();
  private readonly buffer = Buffer.alloc(MESSAGE_MAX);
  private fd: number;

  /** Opens and binds the socket; throws UdevError when the kernel refuses. */
  constructor(group: number = UeventGroup.UDEV) {
    const { libc } = this;
    const fd = libc.socket(Socket.AF_NETLINK, Socket.SOCK_RAW | Socket.SOCK_CLOEXEC | Socket.SOCK_NONBLOCK, Socket.NETLINK_KOBJECT_UEVENT);
    if (fd < 0) throw this.failure('socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT)');
    this.fd = fd;
    const size = Buffer.alloc(4);
    size.writeInt32LE(RECEIVE_BUFFER);
    // FORCE passes rmem_max for root; others get what SO_RCVBUF allows.
    if (libc.setsockopt(fd, Socket.SOL_SOCKET, Socket.SO_RCVBUFFORCE, size, 4) < 0) libc.setsockopt(fd, Socket.SOL_SOCKET, Socket.SO_RCVBUF, size, 4);
    const address = Buffer.alloc(SockaddrNlLayout.size);
    address.writeUInt16LE(Socket.AF_NETLINK, SockaddrNlLayout.nl_family);
    address.writeUInt32LE(group, SockaddrNlLayout.nl_groups);
    if (libc.bind(fd, address, address.length) < 0) {
      const error = this.failure(`bind to uevent group ${group}`);
      this.close();
      throw error;
    }
  }

  /** The socket's fd, for a poll(2) elsewhere (-1 once closed). */
  get descriptor(): number {
    return this.fd;
  }

  /** The next queued udevd message's properties; undefined when none is queued. Skips foreign messages. */
  receive(): Map<string, string> | undefined {
    for (;;) {
      const message = this.receiveRaw();
      if (!message) return undefined;
      const properties = parseUdevMessage(message);
      if (properties) return properties;
    }
  }

  /**
   * The next queued message as it came (a view of the socket's buffer, valid until the next
   * receive); undefined when none is queued.
   */
  receiveRaw(): Buffer | undefined {
    for (;;) {
      const count = this.libc.recv(this.fd, this.buffer, this.buffer.length, Socket.MSG_DONTWAIT);
      if (count < 0) {
        const errno = this.libc.errno();
        if (errno === EAGAIN) return undefined;
        // ENOBUFS: the queue overflowed and some events were dropped; read on (a lost one times out).
        if (errno === EINTR || errno === ENOBUFS) continue;
        throw this.failure('recv');
      }
      return this.buffer.subarray(0, count);
    }
  }

  /** Blocks up to `timeoutMs` for a message to be queued; true when one is. */
  waitReadable(timeoutMs: number): boolean {
    const fds = this.pollfd();
    const result = this.libc.poll(fds, 1, Math.max(0, Math.ceil(timeoutMs)));
    if (result < 0 && this.libc.errno() !== EINTR) throw this.failure('poll');
    return result > 0;
  }

  /** waitReadable off the event loop. */
  async waitReadableOffLoop(timeoutMs: number): Promise<boolean> {
    const { result, errno } = await pollOffLoop(this.pollfd(), 1, Math.max(0, Math.ceil(timeoutMs)));
    if (result < 0 && errno !== EINTR) throw new UdevError([`udev monitor: poll failed: ${strerror(errno)}`], errno);
    return result > 0;
  }

  /** Closes the netlink socket; calling it again does nothing. */
  close(): void {
    if (this.fd >= 0) this.libc.close(this.fd);
    this.fd = -1;
  }

  private pollfd(): Buffer {
    const fds = Buffer.alloc(PollfdLayout.size);
    fds.writeInt32LE(this.fd, PollfdLayout.fd);
    fds.writeInt16LE(POLLIN, PollfdLayout.events);
    return fds;
  }

  private failure(step: string): UdevError {
    const errno = this.libc.errno();
    return new UdevError([`udev monitor: ${step} failed: ${strerror(errno)}`], errno);
  }
}
