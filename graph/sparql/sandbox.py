"""Cut a SPARQL worker off from the network, and cap its memory (Linux).

User queries and updates are evaluated where no outbound connection can be opened, so a
``SERVICE`` or ``LOAD`` that the keyword check of :mod:`graph.sparql.endpoint` missed fails inside the
sandbox instead of leaving the machine.

How
    :func:`isolate_process` moves the calling process into a new, empty **network namespace**
    (``unshare(CLONE_NEWNET)``): no interface but a loopback that is down, so every
    ``connect`` fails with "network unreachable", whatever the address (the host's loopback
    included). That needs ``CAP_SYS_ADMIN`` (root); otherwise a new **user** namespace is
    created with it (``CLONE_NEWUSER | CLONE_NEWNET``), which unprivileged processes may do
    where the kernel allows it. It must run before the process starts threads.
    :func:`isolate_thread` does the same for the calling thread only (a network namespace
    belongs to a thread; used for the update thread of the serving process), which needs
    ``CAP_SYS_ADMIN``. Where no namespace can be made (not root, unprivileged user namespaces
    disabled), both fall back to :func:`deny_sockets`: a **seccomp** filter, written by
    libseccomp (the C library every Debian system has, called through ``ctypes``), under which
    creating an IPv4, IPv6 or packet socket, or an io_uring (which could open one behind the
    filter's back), fails with ``EACCES``; Unix sockets and pipes (how a worker talks to the
    server) stay allowed. A filter binds the calling thread and everything it starts, for good.
    Both check the result (:func:`network_is_cut`) and raise :class:`SandboxUnavailableError`
    with the reason when it cannot be done.

    :func:`limit_memory` sets ``RLIMIT_DATA`` of the calling process: an allocation above it
    fails, pyoxigraph aborts, and the pool answers the query with an error (HTTP 507).

>>> SANDBOX_MODES
('require', 'off')
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys

#: ``require``: refuse to evaluate user SPARQL outside a sandbox; ``off``: no sandbox.
SANDBOX_MODES = ("require", "off")

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

#: Errors a connect in a cut-off namespace may end with (anything but a refusal or success).
_CUT = {errno.ENETUNREACH, errno.EACCES, errno.EPERM, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}


class SandboxUnavailableError(RuntimeError):
    """The process or thread could not be cut off from the network (with the reason)."""


HINT = (
    "run the server as root, allow unprivileged user namespaces "
    "(sysctl kernel.unprivileged_userns_clone=1), install libseccomp (Debian: libseccomp2), "
    "or set CHAINKG_SANDBOX=off to rely on the SERVICE/LOAD keyword check alone"
)

#: What :func:`deny_sockets` returns: how the caller was cut off.
SECCOMP = "seccomp filter"

# libseccomp's ABI (seccomp.h): actions, comparison operators, the argument-comparison struct.
_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_CMP_EQ = 4
#: Address families whose sockets reach other hosts: AF_INET, AF_INET6, AF_PACKET.
_DENIED_FAMILIES = (socket.AF_INET, socket.AF_INET6, 17)


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def deny_sockets() -> str:
    """Install a seccomp filter on the calling thread (and what it starts afterwards) under
    which ``socket(2)`` fails with ``EACCES`` for IPv4, IPv6 and packet sockets, and
    ``io_uring_setup(2)`` fails; return :data:`SECCOMP`. It cannot be undone.

    Raises:
        SandboxUnavailableError: not Linux, libseccomp missing, or the kernel refused the filter.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailableError(f"seccomp needs Linux; {HINT}")
    try:
        lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    except OSError as err:
        raise SandboxUnavailableError(f"libseccomp is not installed ({err}); {HINT}") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    deny = 0x00050000 | errno.EACCES  # SCMP_ACT_ERRNO(EACCES)
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        raise SandboxUnavailableError(f"seccomp_init failed; {HINT}")
    try:
        sock = lib.seccomp_syscall_resolve_name(b"socket")
        failures = [lib.seccomp_rule_add_array(ctx, deny, sock, 1, (_ArgCmp * 1)(_ArgCmp(0, _SCMP_CMP_EQ, family, 0)))
                    for family in _DENIED_FAMILIES]
        uring = lib.seccomp_syscall_resolve_name(b"io_uring_setup")
        if uring >= 0:
            failures.append(lib.seccomp_rule_add_array(ctx, deny, uring, 0, None))
        if any(failures):
            raise SandboxUnavailableError(f"seccomp rules were refused ({os.strerror(-min(failures))}); {HINT}")
        loaded = lib.seccomp_load(ctx)
        if loaded:
            raise SandboxUnavailableError(f"the kernel refused the seccomp filter ({os.strerror(-loaded)}); {HINT}")
    finally:
        lib.seccomp_release(ctx)
    return SECCOMP


def _unshare(flags: int) -> int:
    """``unshare(2)``; returns 0 or the errno."""
    if not sys.platform.startswith("linux"):
        return errno.ENOSYS
    libc = ctypes.CDLL(None, use_errno=True)  # the C library this process already has loaded
    if libc.unshare(ctypes.c_int(flags)) == 0:
        return 0
    return ctypes.get_errno()


def network_is_cut() -> bool:
    """Whether a TCP connection to this host's loopback fails as it does in an empty namespace
    (not refused, not accepted: unreachable).

    >>> isinstance(network_is_cut(), bool)
    True
    """
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    except OSError as err:  # under the seccomp filter no such socket can be made
        return err.errno in _CUT
    with probe:
        probe.settimeout(1.0)
        try:
            probe.connect(("127.0.0.1", 9))
        except OSError as err:
            return err.errno in _CUT
        return False


def isolate_process() -> str:
    """Move this (single-threaded) process into a new network namespace; return how it was done.

    Raises:
        SandboxUnavailableError: neither a network namespace, nor a user + network namespace,
            nor the seccomp filter could be set up, or the network is still reachable afterwards.
    """
    failed = _unshare(CLONE_NEWNET)
    how = "network namespace"
    if failed:
        second = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
        if second:
            try:
                how = deny_sockets()
            except SandboxUnavailableError as err:
                raise SandboxUnavailableError(
                    "cannot cut SPARQL workers off from the network: unshare(CLONE_NEWNET) failed "
                    f"({os.strerror(failed)}), so did a user namespace ({os.strerror(second)}), "
                    f"and {err}"
                ) from None
        else:
            how = "user + network namespace"
    if not network_is_cut():
        raise SandboxUnavailableError(f"a {how} was created but the network is still reachable; {HINT}")
    return how


def isolate_thread() -> str:
    """Move the calling thread (only) into a new network namespace; return how it was done.

    A thread's own network namespace needs ``CAP_SYS_ADMIN``; without it the thread gets the
    seccomp filter of :func:`deny_sockets` (which binds the calling thread only).

    Raises:
        SandboxUnavailableError: neither could be set up, or the thread still reaches the network.
    """
    how = "network namespace (thread)"
    failed = _unshare(CLONE_NEWNET)
    if failed:
        try:
            how = f"{deny_sockets()} (thread)"
        except SandboxUnavailableError as err:
            raise SandboxUnavailableError(
                "cannot cut the SPARQL update thread off from the network: unshare(CLONE_NEWNET) "
                f"failed ({os.strerror(failed)}), and {err}"
            ) from None
    if not network_is_cut():
        raise SandboxUnavailableError(f"the update thread's {how} still reaches the network")
    return how


def limit_memory(megabytes: int) -> None:
    """Cap this process's data memory at ``megabytes`` MiB; 0 = no cap.

    ``RLIMIT_DATA`` (Linux 4.7+) counts the heap and every private writable mapping (thread
    stacks, allocator arenas as they grow), not the address space merely reserved by glibc's
    arenas nor the mapped files, so the cap is close to what a query really allocates.
    """
    if megabytes <= 0:
        return
    import resource

    cap = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
