#!/usr/bin/env python3
"""faultfs: a passthrough FUSE filesystem that can pretend to be a full or a failed disk.

    faultfs.py BACKING MOUNTPOINT CONTROL_DIR

Mounted by the entrypoint over Kafka's log directory (MOUNTPOINT) when the node is started with
FAULTFS=1; every file lives in BACKING, a plain folder on the container's own disk. The nemesis
sets the disk's state by writing one word to CONTROL_DIR/state (through Docker's archive API, which
works whether the node runs or not); a thread of this process re-reads it when its mtime changes
(looked at every POLL seconds) and writes the word it applies to CONTROL_DIR/applied, which the
nemesis waits for:

    ok      every operation passes through.
    full    writes past a file's current end, new files and folders, and growing truncates fail
            with ENOSPC; statfs reports no free blocks. Overwrites inside a file still work (a real
            full disk has those blocks already).
    failed  every operation fails with EIO (a dead disk, as Kafka's log-dir-failure test makes).

The state is the disk's, not the process's: it survives a restart of the node (the control file is
on the container's disk) until the nemesis writes "ok" again.

What Kafka needs from it: shared writable mmap of index files (FUSE allows it without direct_io),
atomic rename, fsync of files and folders, file locks (not implemented here, so the kernel keeps
POSIX locks locally), truncate. Data paths are deliberately plain: write() is one pwrite on the
backing file, fsync() one fsync of it. A later fault (power loss: dropping writes not yet fsynced)
is meant to extend exactly these two methods (buffer writes per file until fsync, drop the buffer
on "lose"), so keep them simple and keep every write going through write().
"""

import errno
import os
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations

POLL = 0.1  # seconds between looks at the control file's mtime
STATES = ("ok", "full", "failed")


class Control:
    """The disk's state, from CONTROL_DIR/state (absent: ok; an unknown word: failed); what was
    applied goes to CONTROL_DIR/applied. Operations read self.state only: no syscall per operation."""

    def __init__(self, folder):
        self.folder = folder
        self.state = "ok"
        self.mtime = -1
        os.makedirs(folder, exist_ok=True)
        self.refresh()
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            time.sleep(POLL)
            try:
                self.refresh()
            except OSError as e:
                print(f"faultfs: control: {e}", file=sys.stderr)

    def refresh(self):
        path = os.path.join(self.folder, "state")
        try:
            mtime = os.stat(path).st_mtime_ns
        except FileNotFoundError:
            mtime = None
        if mtime == self.mtime:
            return
        self.mtime = mtime
        word = "ok"
        if mtime is not None:
            with open(path) as f:
                word = f.read().strip() or "ok"
        self.state = word if word in STATES else "failed"
        tmp = os.path.join(self.folder, "applied.tmp")
        with open(tmp, "w") as f:
            f.write(self.state + "\n")
        os.replace(tmp, os.path.join(self.folder, "applied"))


class FaultFS(Operations):
    use_ns = True

    def __init__(self, backing, control):
        self.backing = os.path.realpath(backing)
        self.control = control

    def __call__(self, op, *args):
        # One gate for every operation: a failed disk answers nothing.
        if self.control.state == "failed" and op not in ("init", "destroy", "release", "releasedir"):
            raise FuseOSError(errno.EIO)
        return super().__call__(op, *args)

    def real(self, path):
        return self.backing + path

    def full(self):
        return self.control.state == "full"

    @staticmethod
    def oserror(fn, *args):
        try:
            return fn(*args)
        except OSError as e:
            raise FuseOSError(e.errno) from e

    # Metadata.
    def getattr(self, path, fh=None):
        st = self.oserror(os.lstat, self.real(path)) if fh is None else self.oserror(os.fstat, fh)
        keys = ("st_mode", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime_ns", "st_mtime_ns", "st_ctime_ns")
        out = {k: getattr(st, k) for k in keys}
        for k in ("st_atime", "st_mtime", "st_ctime"):
            out[k] = out.pop(k + "_ns")
        return out

    def access(self, path, amode):
        if not os.access(self.real(path), amode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        self.oserror(os.chmod, self.real(path), mode)

    def chown(self, path, uid, gid):
        self.oserror(os.chown, self.real(path), uid, gid)

    def utimens(self, path, times=None):
        self.oserror(lambda: os.utime(self.real(path), ns=times) if times else os.utime(self.real(path)))

    def readdir(self, path, fh):
        return [".", ".."] + self.oserror(os.listdir, self.real(path))

    def readlink(self, path):
        return self.oserror(os.readlink, self.real(path))

    def statfs(self, path):
        sv = self.oserror(os.statvfs, self.real(path))
        out = {k: getattr(sv, k) for k in ("f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files", "f_ffree", "f_favail", "f_flag", "f_namemax")}
        if self.full():
            out.update(f_bfree=0, f_bavail=0, f_ffree=0, f_favail=0)
        return out

    # Names.
    def mkdir(self, path, mode):
        if self.full():
            raise FuseOSError(errno.ENOSPC)
        self.oserror(os.mkdir, self.real(path), mode)

    def rmdir(self, path):
        self.oserror(os.rmdir, self.real(path))

    def unlink(self, path):
        self.oserror(os.unlink, self.real(path))

    def rename(self, old, new):
        self.oserror(os.rename, self.real(old), self.real(new))

    def link(self, target, source):
        self.oserror(os.link, self.real(source), self.real(target))

    def symlink(self, target, source):
        self.oserror(os.symlink, source, self.real(target))

    # Files: one backing fd per open, reads and writes by offset (safe across FUSE's threads). Always
    # read-write and never O_APPEND: the kernel reads through any open's handle for the page cache
    # (an mmap, a partial page) and computes every write's offset itself.
    def open(self, path, flags):
        return self.oserror(os.open, self.real(path), (flags & ~(os.O_ACCMODE | os.O_APPEND)) | os.O_RDWR)

    def create(self, path, mode, fi=None):
        if self.full():
            raise FuseOSError(errno.ENOSPC)
        return self.oserror(os.open, self.real(path), os.O_RDWR | os.O_CREAT, mode)

    def read(self, path, size, offset, fh):
        return self.oserror(os.pread, fh, size, offset)

    def write(self, path, data, offset, fh):
        # Full: nothing past the file's current end (an overwrite needs no new block).
        if self.full() and offset + len(data) > os.fstat(fh).st_size:
            raise FuseOSError(errno.ENOSPC)
        return self.oserror(os.pwrite, fh, data, offset)

    def truncate(self, path, length, fh=None):
        current = os.fstat(fh).st_size if fh is not None else self.oserror(os.lstat, self.real(path)).st_size
        if self.full() and length > current:
            raise FuseOSError(errno.ENOSPC)
        if fh is not None:
            self.oserror(os.ftruncate, fh, length)
        else:
            self.oserror(os.truncate, self.real(path), length)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        self.oserror(os.fdatasync if datasync else os.fsync, fh)

    def release(self, path, fh):
        os.close(fh)

    def fsyncdir(self, path, datasync, fh):
        fd = self.oserror(os.open, self.real(path), os.O_RDONLY)
        try:
            self.oserror(os.fsync, fd)
        finally:
            os.close(fd)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: faultfs.py BACKING MOUNTPOINT CONTROL_DIR")
    backing, mountpoint, control = sys.argv[1:]
    os.makedirs(backing, exist_ok=True)
    os.makedirs(mountpoint, exist_ok=True)
    # big_writes: 128 KiB writes instead of 4 KiB; threads: Kafka reads and writes in parallel.
    FUSE(FaultFS(backing, Control(control)), mountpoint, foreground=True, nothreads=False, big_writes=True, max_write=131072, fsname="faultfs")


if __name__ == "__main__":
    main()
