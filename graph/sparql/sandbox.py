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
    ``CAP_SYS_ADMIN``. Both check the result (:func:`network_is_cut`) and raise
    :class:`SandboxUnavailableError` with the reason when it cannot be done.

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
    "(sysctl kernel.unprivileged_userns_clone=1), or set CHAINKG_SANDBOX=off to rely on the "
    "SERVICE/LOAD keyword check alone"
)


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
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(("127.0.0.1", 9))
        except OSError as err:
            return err.errno in _CUT
        return False


def isolate_process() -> str:
    """Move this (single-threaded) process into a new network namespace; return how it was done.

    Raises:
        SandboxUnavailableError: neither a network namespace nor a user + network namespace
            could be created, or the network is still reachable afterwards.
    """
    failed = _unshare(CLONE_NEWNET)
    how = "network namespace"
    if failed:
        second = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
        if second:
            raise SandboxUnavailableError(
                "cannot cut SPARQL workers off from the network: unshare(CLONE_NEWNET) failed "
                f"({os.strerror(failed)}) and so did a user namespace ({os.strerror(second)}); {HINT}"
            )
        how = "user + network namespace"
    if not network_is_cut():
        raise SandboxUnavailableError(f"a {how} was created but the network is still reachable; {HINT}")
    return how


def isolate_thread() -> str:
    """Move the calling thread (only) into a new network namespace; return how it was done.

    Raises:
        SandboxUnavailableError: not permitted (needs ``CAP_SYS_ADMIN``), or not effective.
    """
    failed = _unshare(CLONE_NEWNET)
    if failed:
        raise SandboxUnavailableError(
            "cannot cut the SPARQL update thread off from the network: unshare(CLONE_NEWNET) "
            f"failed ({os.strerror(failed)}); run the server as root to enable /sparql/update, "
            "or set CHAINKG_SANDBOX=off"
        )
    if not network_is_cut():
        raise SandboxUnavailableError("the update thread's network namespace still reaches the network")
    return "network namespace (thread)"


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
