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

    cut     (an event, not a state) power loss: the layer freezes, and the
            backing files are put back as they were when last made durable (Durability, below):
            what a power cut at this instant would leave on a disk (operations after it fail with
            EIO until the node is killed). What was taken is written to
            CONTROL_DIR/cut.json before "cut" is applied; the nemesis then kills the node. A layer
            that starts and reads "cut" takes it as "ok": a fresh mount holds nothing unsynced.

What Kafka needs from it: shared writable mmap of index files (FUSE allows it without direct_io),
atomic rename, fsync of files and folders, file locks (not implemented here, so the kernel keeps
POSIX locks locally), truncate. Writes go through to the backing file at once (reads need nothing
special); what makes a power cut possible is an undo record kept beside them until they are durable.

Durability, the model a cut applies (a strict disk, stricter than ext4's data=ordered):
    - data: a file's contents and size are durable as of its last fsync (or fdatasync, or msync of
      an mmap, which reach fsync() through the kernel). Until then the layer keeps the file's size at
      that point and the old contents of every page of it overwritten or cut off since; a cut
      truncates the file back and writes those pages back. Appends cost no copy.
    - names: create, mkdir, rename, unlink, rmdir, link and symlink are durable once any fsync of a
      file or folder follows them (a journaling filesystem commits its metadata in order, whole
      transactions at a time). Until then each keeps its inverse; unlinked and overwritten files are
      moved aside (BACKING.trash) rather than deleted. A cut undoes them newest first.
    - writeback: with FAULTFS_WRITEBACK_MS=W, a file dirty for W ms and names older than W ms become
      durable without an fsync, as the kernel's writeback (vm.dirty_expire_centisecs) would have made
      them. Absent or 0: only fsync does.
"""

import errno
import json
import os
import struct
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations

POLL = 0.1  # seconds between looks at the control file's mtime
STATES = ("ok", "full", "failed")
PAGE = 4096


class Control:
    """The disk's state, from CONTROL_DIR/state (absent: ok; an unknown word: failed); what was
    applied goes to CONTROL_DIR/applied. Operations read self.state only: no syscall per operation.
    "cut" calls on_cut(), which returns what the cut took (written to CONTROL_DIR/cut.json)."""

    def __init__(self, folder, on_cut):
        self.folder = folder
        self.on_cut = on_cut
        self.state = "ok"
        self.mtime = -1
        os.makedirs(folder, exist_ok=True)
        self.refresh(starting=True)
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            time.sleep(POLL)
            try:
                self.refresh()
            except OSError as e:
                print(f"faultfs: control: {e}", file=sys.stderr)

    def refresh(self, starting=False):
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
        if word == "cut" and (starting or self.state == "cut"):
            word = "ok" if starting else "cut"  # a cut happens once; a fresh mount has nothing to lose
        elif word == "cut":
            self.write("cut.json", json.dumps(self.on_cut()) + "\n")
        self.state = word if word in STATES or word == "cut" else "failed"
        self.write("applied", self.state + "\n")

    def write(self, name, text):
        tmp = os.path.join(self.folder, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(self.folder, name))


class FileUndo:
    """A file's durable image: its size at its last fsync and the old contents of the pages below
    that size changed since (None: the page was all zeros)."""

    __slots__ = ("size", "pages", "since")

    def __init__(self, size, since):
        self.size = size
        self.pages = {}
        self.since = since


ZEROS = bytes(PAGE)


class Durability:
    """What a power cut would take (the model in this file's docstring). Every mutating operation
    runs through mutate(), under one lock, so a cut sees each operation done or not started."""

    def __init__(self, backing, trash, writeback_ms):
        self.backing = backing
        self.trash = trash
        self.writeback = writeback_ms / 1000.0
        self.lock = threading.Lock()
        self.frozen = False
        self.files = {}  # backing inode -> FileUndo
        self.names = []  # (time, inverse) for name operations not yet durable, oldest first
        self.seq = 0
        os.makedirs(trash, exist_ok=True)
        for name in os.listdir(trash):  # moved aside before a restart: durable now
            remove(os.path.join(trash, name))
        if self.writeback > 0:
            threading.Thread(target=self.writeback_loop, daemon=True).start()

    def mutate(self, fn):
        with self.lock:
            if self.frozen:
                raise OSError(errno.EIO, "power cut")
            return fn()

    # Data.
    def before_write(self, fd, offset, length):
        """Called before bytes [offset, offset+length) of fd change (a write, or a truncate's cut)."""
        st = os.fstat(fd)
        u = self.files.get(st.st_ino)
        if u is None:
            u = self.files[st.st_ino] = FileUndo(st.st_size, time.monotonic())
        end = min(offset + length, u.size)  # bytes past the durable size need no copy: a cut cuts them off
        for p in range(offset // PAGE, (end + PAGE - 1) // PAGE) if offset < end else ():
            if p not in u.pages:
                old = os.pread(fd, PAGE, p * PAGE)
                u.pages[p] = None if old == ZEROS[: len(old)] else old

    def synced(self, fd=None):
        """An fsync: the file's data, and every name operation before it, are durable."""
        if fd is not None:
            self.files.pop(os.fstat(fd).st_ino, None)
        self.commit_names(len(self.names))

    # Names.
    def aside(self, real):
        """Moves a file or folder out of the way (an unlink's or an overwriting rename's victim) and
        returns where, so that the operation can be undone until it is durable."""
        self.seq += 1
        where = os.path.join(self.trash, f"{self.seq}-{os.path.basename(real)}")
        os.rename(real, where)
        self.named(("restore", where, real))
        return where

    def named(self, inverse):
        self.names.append((time.monotonic(), inverse))

    def commit_names(self, count):
        for _, inverse in self.names[:count]:
            if inverse[0] == "restore":  # the unlink is durable: the file is gone (its inode may be reused)
                for folder, _, names in os.walk(inverse[1]) if os.path.isdir(inverse[1]) else [("", [], [inverse[1]])]:
                    for n in names:
                        try:
                            self.files.pop(os.lstat(os.path.join(folder, n)).st_ino, None)
                        except OSError:
                            pass
                remove(inverse[1])
        del self.names[:count]

    def writeback_loop(self):
        while True:
            time.sleep(0.1)
            with self.lock:
                if self.frozen:
                    return
                old = time.monotonic() - self.writeback
                for ino in [i for i, u in self.files.items() if u.since <= old]:
                    del self.files[ino]
                self.commit_names(sum(1 for t, _ in self.names if t <= old))

    # The cut.
    def cut(self):
        """Freezes the layer and puts the backing files back as they were last made durable. Returns
        what it took: per file, the bytes cut off and pages written back; for a Kafka log segment,
        the record batches cut off; the name operations undone."""
        with self.lock:
            self.frozen = True
            started = time.monotonic()
            paths = self.inode_paths()
            files = []
            for ino, u in self.files.items():
                path = paths.get(ino)
                if path is None:
                    continue  # unlinked, and the unlink is durable: nothing of it is left to lose
                files.append(self.revert(path, u))
            names = []
            for _, inverse in reversed(self.names):
                names.append(self.undo(inverse))
            return {
                "files": [f for f in files if f["droppedBytes"] or f["restoredBytes"]],
                "names": names,
                "writebackMs": int(self.writeback * 1000),
                "tookMs": round((time.monotonic() - started) * 1000, 1),
            }

    def inode_paths(self):
        out = {}
        for top in (self.backing, self.trash):
            for folder, _, names in os.walk(top):
                for n in names:
                    path = os.path.join(folder, n)
                    out[os.lstat(path).st_ino] = path
        return out

    def revert(self, path, u):
        fd = os.open(path, os.O_RDWR)
        try:
            size = os.fstat(fd).st_size
            rel = os.path.relpath(path, self.backing)
            out = {"path": rel, "durableSize": u.size, "size": size, "droppedBytes": max(0, size - u.size), "restoredBytes": 0}
            if path.endswith(".log") and size > u.size:
                out["batches"] = batches(fd, u.size, size)
            os.ftruncate(fd, u.size)
            for p, old in u.pages.items():
                data = ZEROS if old is None else old
                data = data[: max(0, u.size - p * PAGE)]
                if data:
                    os.pwrite(fd, data, p * PAGE)
                    out["restoredBytes"] += len(data)
            return out
        finally:
            os.close(fd)

    def undo(self, inverse):
        kind, *args = inverse
        try:
            if kind == "remove":
                remove(args[0])
            elif kind in ("rename", "restore"):  # a rename back, or a file moved aside put back
                os.rename(args[0], args[1])
            elif kind == "mkdir":
                os.mkdir(args[0])
            return {"undo": kind, "path": os.path.relpath(args[-1], self.backing)}
        except OSError as e:
            return {"undo": kind, "path": os.path.relpath(args[-1], self.backing), "error": str(e)}


def batches(fd, start, end):
    """The Kafka record batches (magic 2) in bytes [start, end) of a segment: first and last offset,
    how many batches and records. A tail that does not parse as batches is counted as bytes only."""
    first = last = None
    count = records = 0
    pos = start
    while pos + 61 <= end:
        head = os.pread(fd, 61, pos)
        base, length = struct.unpack_from(">qi", head, 0)
        magic = head[16]
        if magic != 2 or length < 49 or pos + 12 + length > end:
            break
        last_delta = struct.unpack_from(">i", head, 23)[0]
        records += struct.unpack_from(">i", head, 57)[0]
        first = base if first is None else first
        last = base + last_delta
        count += 1
        pos += 12 + length
    return {"count": count, "records": records, "firstOffset": first, "lastOffset": last, "unparsedBytes": end - pos}


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        for folder, dirs, names in os.walk(path, topdown=False):
            for n in names:
                os.unlink(os.path.join(folder, n))
            for d in dirs:
                os.rmdir(os.path.join(folder, d))
        os.rmdir(path)
    elif os.path.lexists(path):
        os.unlink(path)


class FaultFS(Operations):
    use_ns = True

    def __init__(self, backing, control_folder, writeback_ms):
        self.backing = os.path.realpath(backing)
        self.durable = Durability(self.backing, self.backing + ".trash", writeback_ms)
        self.control = Control(control_folder, self.durable.cut)

    def __call__(self, op, *args):
        # One gate for every operation: a failed disk answers nothing, and after a cut every
        # operation fails (what a process still running at a power cut would see, for the moment
        # until the node is killed). Failing, not blocking: the kernel waits without a timeout for
        # the answer to a request this layer has read, even for a killed process, so a blocked
        # answer would keep the JVM (PID 1) from exiting, and this layer dies only after it.
        if self.durable.frozen:
            if op in ("flush", "release", "releasedir", "destroy"):
                return 0
            raise FuseOSError(errno.EIO)
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

    def mutate(self, fn, *args):
        """A change to the disk: under the durability lock, OS errors as FUSE's."""
        return self.oserror(self.durable.mutate, lambda: fn(*args))

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

    # Names: each records its inverse until it is durable.
    def mkdir(self, path, mode):
        if self.full():
            raise FuseOSError(errno.ENOSPC)

        def act():
            os.mkdir(self.real(path), mode)
            self.durable.named(("remove", self.real(path)))

        self.mutate(act)

    def rmdir(self, path):
        def act():
            os.rmdir(self.real(path))
            self.durable.named(("mkdir", self.real(path)))

        self.mutate(act)

    def unlink(self, path):
        # Moved aside, not deleted: open handles keep working, and a cut can put it back.
        self.mutate(lambda: self.durable.aside(self.real(path)))

    def rename(self, old, new):
        def act():
            src, dst = self.real(old), self.real(new)
            os.lstat(src)  # ENOENT before anything moves
            if os.path.lexists(dst) and not (os.path.isdir(dst) and os.listdir(dst)):
                self.durable.aside(dst)
            os.rename(src, dst)
            self.durable.named(("rename", dst, src))

        self.mutate(act)

    def link(self, target, source):
        def act():
            os.link(self.real(source), self.real(target))
            self.durable.named(("remove", self.real(target)))

        self.mutate(act)

    def symlink(self, target, source):
        def act():
            os.symlink(source, self.real(target))
            self.durable.named(("remove", self.real(target)))

        self.mutate(act)

    # Files: one backing fd per open, reads and writes by offset (safe across FUSE's threads). Always
    # read-write and never O_APPEND: the kernel reads through any open's handle for the page cache
    # (an mmap, a partial page) and computes every write's offset itself.
    def open(self, path, flags):
        flags = (flags & ~(os.O_ACCMODE | os.O_APPEND)) | os.O_RDWR
        if not flags & os.O_TRUNC:
            return self.oserror(os.open, self.real(path), flags)

        def act():  # O_TRUNC cuts the file: the cut-off pages are kept first
            fd = os.open(self.real(path), flags & ~os.O_TRUNC)
            self.durable.before_write(fd, 0, os.fstat(fd).st_size)
            os.ftruncate(fd, 0)
            return fd

        return self.mutate(act)

    def create(self, path, mode, fi=None):
        if self.full():
            raise FuseOSError(errno.ENOSPC)

        def act():
            existed = os.path.lexists(self.real(path))
            fd = os.open(self.real(path), os.O_RDWR | os.O_CREAT, mode)
            if not existed:
                self.durable.named(("remove", self.real(path)))
            return fd

        return self.mutate(act)

    def read(self, path, size, offset, fh):
        return self.oserror(os.pread, fh, size, offset)

    def write(self, path, data, offset, fh):
        def act():
            # Full: nothing past the file's current end (an overwrite needs no new block).
            if self.full() and offset + len(data) > os.fstat(fh).st_size:
                raise OSError(errno.ENOSPC, "disk full")
            self.durable.before_write(fh, offset, len(data))
            return os.pwrite(fh, data, offset)

        return self.mutate(act)

    def truncate(self, path, length, fh=None):
        def act():
            fd = fh if fh is not None else os.open(self.real(path), os.O_RDWR)
            try:
                current = os.fstat(fd).st_size
                if self.full() and length > current:
                    raise OSError(errno.ENOSPC, "disk full")
                if length < current:
                    self.durable.before_write(fd, length, current - length)
                else:
                    self.durable.before_write(fd, current, 0)  # the size before it grew
                os.ftruncate(fd, length)
            finally:
                if fh is None:
                    os.close(fd)

        self.mutate(act)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        def act():
            (os.fdatasync if datasync else os.fsync)(fh)
            self.durable.synced(fh)

        self.mutate(act)

    def release(self, path, fh):
        os.close(fh)

    def fsyncdir(self, path, datasync, fh):
        def act():
            fd = os.open(self.real(path), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            self.durable.synced()

        self.mutate(act)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: faultfs.py BACKING MOUNTPOINT CONTROL_DIR")
    backing, mountpoint, control = sys.argv[1:]
    os.makedirs(backing, exist_ok=True)
    os.makedirs(mountpoint, exist_ok=True)
    # big_writes: 128 KiB writes instead of 4 KiB; threads: Kafka reads and writes in parallel.
    writeback_ms = int(os.environ.get("FAULTFS_WRITEBACK_MS") or 0)
    FUSE(FaultFS(backing, control, writeback_ms), mountpoint, foreground=True, nothreads=False, big_writes=True, max_write=131072, fsname="faultfs")


if __name__ == "__main__":
    main()
