/**
 * The uevent netlink socket, as data (`<sys/socket.h>`, `<linux/netlink.h>`, `<poll.h>`): what
 * the udev monitor needs to hear systemd-udevd's processed events. Checked against the C headers
 * by test/unit/native-defs-udev.test.ts.
 */

export const Socket = {
  AF_NETLINK: 16,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_NONBLOCK: 0o4000,
  SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1,
  SO_RCVBUF: 8,
  SO_PASSCRED: 16,
  /** Like SO_RCVBUF, past rmem_max (root only). */
  SO_RCVBUFFORCE: 33,
  MSG_DONTWAIT: 64,
  /** The netlink protocol of the kernel's (and udevd's) device events. */
  NETLINK_KOBJECT_UEVENT: 15,
} as const;

/** `struct sockaddr_nl`. */
export const SockaddrNlLayout = {
  size: 12,
  nl_family: 0, // sa_family_t (unsigned short)
  nl_pid: 4, // __u32
  nl_groups: 8, // __u32: multicast group bit mask
} as const;

/** `struct pollfd`. */
export const PollfdLayout = {
  size: 8,
  fd: 0, // int
  events: 4, // short
  revents: 6, // short
} as const;

/** poll(2)'s POLLIN: data to read (a uevent on a netlink socket, an event on the armed control fd). */
export const POLLIN = 1;

/** The socket calls, as koffi prototypes (socklen_t is a 32-bit unsigned, nfds_t an unsigned long). */
export const NetlinkPrototypes = {
  socket: 'int socket(int domain, int type, int protocol)',
  bind: 'int bind(int fd, void *addr, uint32_t len)',
  setsockopt: 'int setsockopt(int fd, int level, int name, void *value, uint32_t len)',
  recv: 'long recv(int fd, void *buf, size_t len, int flags)',
  poll: 'int poll(void *fds, unsigned long nfds, int timeout)',
  close: 'int close(int fd)',
} as const;
