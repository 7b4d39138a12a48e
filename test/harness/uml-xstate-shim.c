/*
 * LD_PRELOAD shim for Debian's linux.uml (6.1) on hosts with Intel AMX.
 *
 * UML keeps each guest process's FPU state in a 2 696-byte XSAVE buffer (enough through AVX-512)
 * and writes it back with PTRACE_SETREGSET(NT_X86_XSTATE). The host kernel takes that write only
 * when it is exactly the host's full XSAVE size, which AMX (tile data) makes 11 008 bytes; so the
 * write fails with EFAULT and UML panics at its first process ("userspace - ptrace set fp regs
 * failed, errno = 14"). Newer UML kernels size the buffer from the host.
 *
 * On exactly that failure this shim pads UML's buffer to the host's size and writes it again. The
 * padding is the init state: xstate_bv keeps only the components that lie wholly inside UML's
 * buffer, so the host resets the others (AMX, which no guest process can enable: UML does not pass
 * arch_prctl(ARCH_REQ_XCOMP_PERM) through). Every other ptrace call goes straight to libc.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef long (*ptrace_fn)(int, pid_t, void *, void *);

/* Offset of xstate_bv in the XSAVE header (after the 512-byte legacy area). */
#define XSTATE_BV_OFFSET 512

static __thread unsigned char padded[65536] __attribute__((aligned(64)));
static size_t host_size;
/* Set once a write has needed padding: later ones are padded at once, not tried twice. */
static int pad_always;

/* The XSAVE components (bits of xstate_bv) stored wholly within the first len bytes; remembered,
   since cpuid traps to the hypervisor when the host is itself a VM. */
static uint64_t components_within(size_t len) {
  static size_t known_len;
  static uint64_t known_mask;
  if (len == known_len) return known_mask;
  uint64_t mask = 3; /* x87 and SSE: the legacy area */
  for (unsigned i = 2; i < 63; i++) {
    unsigned size, offset, ecx, edx;
    __cpuid_count(0xd, i, size, offset, ecx, edx);
    if (size != 0 && (size_t)offset + size <= len) mask |= 1ULL << i;
  }
  known_len = len;
  known_mask = mask;
  return mask;
}

long ptrace(enum __ptrace_request request, ...) {
  static ptrace_fn real;
  if (!real) real = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
  va_list ap;
  va_start(ap, request);
  pid_t pid = va_arg(ap, pid_t);
  void *addr = va_arg(ap, void *);
  void *data = va_arg(ap, void *);
  va_end(ap);

  if (request != PTRACE_SETREGSET || (uintptr_t)addr != NT_X86_XSTATE) return real(request, pid, addr, data);
  struct iovec *given = data;
  if (!pad_always || given->iov_len >= host_size) {
    long result = real(request, pid, addr, data);
    if (result != -1 || errno != EFAULT) return result;
  }

  if (host_size == 0) {
    struct iovec probe = { padded, sizeof padded };
    if (real(PTRACE_GETREGSET, pid, addr, &probe) == -1) {
      errno = EFAULT;
      return -1;
    }
    host_size = probe.iov_len;
  }
  if (given->iov_len >= host_size || given->iov_len < XSTATE_BV_OFFSET + 8) {
    errno = EFAULT;
    return -1;
  }
  memset(padded, 0, host_size);
  memcpy(padded, given->iov_base, given->iov_len);
  uint64_t xstate_bv;
  memcpy(&xstate_bv, padded + XSTATE_BV_OFFSET, sizeof xstate_bv);
  xstate_bv &= components_within(given->iov_len);
  memcpy(padded + XSTATE_BV_OFFSET, &xstate_bv, sizeof xstate_bv);
  struct iovec whole = { padded, host_size };
  long result = real(PTRACE_SETREGSET, pid, addr, &whole);
  if (result == 0) pad_always = 1;
  return result;
}
