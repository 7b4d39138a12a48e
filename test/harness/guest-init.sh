#!/bin/sh
# PID 1 of the user-mode-linux guest started by run-vm.ts.
#
# The guest's root is the host's root (hostfs, read-write), so everything this script changes is kept
# on tmpfs mounts; the only host directory written is the runner's scratch dir, mounted at
# /run/tsdm/host. Settings come as kernel command-line variables (TSDM_SCRATCH) and as the file
# $TSDM_SCRATCH/settings written by the runner.
#
# If this script exits, the kernel panics; it must always end in poweroff.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
host=/run/tsdm/host

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p $host /run/tsdm/sbin /run/tsdm/modroot/lib/modules
mount -t hostfs -o "$TSDM_SCRATCH" none $host
. $host/settings

# 'poweroff -f --no-wtmp' never appends to the host's wtmp; 'reboot' would loop forever in UML.
power_off() {
  sync
  poweroff -f --no-wtmp >/dev/null 2>&1
  echo "guest-init: poweroff failed" >/dev/console
  sleep 3600
}

if [ "$TSDM_VM_DEV" = tmpfs ]; then
  # Booted with devtmpfs.mount=0: /dev is the host's /dev until we cover it. Make the nodes a
  # process needs; everything else (mapper/, loop*) the tests make or the code under test makes.
  mount -t tmpfs -o mode=0755 tmpfs /dev
  mknod -m 666 /dev/null c 1 3;    mknod -m 666 /dev/zero c 1 5;  mknod -m 666 /dev/full c 1 7
  mknod -m 666 /dev/random c 1 8;  mknod -m 666 /dev/urandom c 1 9
  mknod -m 666 /dev/tty c 5 0;     mknod -m 600 /dev/console c 5 1; mknod -m 666 /dev/ptmx c 5 2
  mknod -m 620 /dev/tty0 c 4 0;    mknod -m 620 /dev/tty1 c 4 1
  ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin
  ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
  mkdir -p /dev/pts
  mount -t devpts devpts /dev/pts
fi
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp

# A checkout under one of the directories covered above (a CI clone in /tmp, say) is mounted
# back from the host, so the command sees the repository as it is.
case "$TSDM_VM_REPO" in
  /tmp/* | /run/* | /dev/*)
    mkdir -p "$TSDM_VM_REPO"
    mount -t hostfs -o "$TSDM_VM_REPO" none "$TSDM_VM_REPO"
    ;;
esac

# con0 is the runner's stdout, con1 (tty1) its stderr; the console must not turn \n into \r\n.
stty -onlcr 2>/dev/null
stty -onlcr </dev/tty1 2>/dev/null
exec 2>/dev/tty1

# The host has no /lib/modules: point modprobe (ours and the kernel's autoloader) at UML's modules.
release=$(uname -r)
ln -s /usr/lib/uml/modules/$release /run/tsdm/modroot/lib/modules/$release
cat > /run/tsdm/sbin/modprobe <<EOF
#!/bin/sh
exec /sbin/modprobe -d /run/tsdm/modroot "\$@"
EOF
chmod 755 /run/tsdm/sbin/modprobe
echo /run/tsdm/sbin/modprobe > /proc/sys/kernel/modprobe
# Without this the kernel forks a helper per uevent: ten times slower create/remove.
echo > /sys/kernel/uevent_helper
ip link set lo up 2>/dev/null

/run/tsdm/sbin/modprobe loop
if [ "$TSDM_VM_DEV" = tmpfs ]; then
  mknod -m 660 /dev/loop-control c 10 237
  for i in 0 1 2 3 4 5 6 7; do mknod -m 660 /dev/loop$i b 7 $i; done
fi
if [ "$TSDM_VM_DM" = 1 ]; then
  /run/tsdm/sbin/modprobe dm-mod
fi

if [ "$TSDM_VM_UDEV" = 1 ]; then
  /lib/systemd/systemd-udevd --daemon
  udevadm trigger --action=add --subsystem-match=block --subsystem-match=misc
  udevadm settle
fi

# The command runs with the host user's environment (saved by the runner), the repository as its
# working directory, and the built tsdmsetup first on PATH.
(
  . $host/environment
  export PATH="$host/bin:/run/tsdm/sbin:$PATH" TMPDIR=/tmp TSDM_IN_VM=1
  cd "$TSDM_VM_REPO" || exit 125
  . $host/command </dev/null
)
rc=$?

if [ "$TSDM_VM_UDEV" = 1 ]; then
  udevadm control --exit 2>/dev/null
fi
echo $rc > $host/exitcode
echo $rc > /proc/exitcode
umount $host 2>/dev/null
power_off
