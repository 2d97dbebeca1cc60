"""Atomic file writes that never lose the user's previous file, and their leftovers.

`atomic_save(path, write)` writes through a temp file in the target's folder
(`.NAME.PID.RANDOM.tmp`), fsyncs it, gives it the target's permissions (a new file gets the
mode a normally created one would have), keeps the previous version as `NAME.bak` when asked,
and renames it over the target. A write that fails for any reason removes its temp file,
leaves the target as it was and raises `SaveError`: one sentence saying why (disk full, file
too large, name too long, folder not writable) and that the previous version is unchanged.

A process killed while saving leaves its temp file behind; `remove_orphans(path)` (called by
every save and every open of `path`) removes the temp files of `path` whose process is gone.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

from backend.project.safe import ProjectFileError

TMP_SUFFIX = ".tmp"
_NAME_KEEP = 160  # characters of the target's name kept in a temp file's name
_LEGACY_AGE_S = 600  # temp files without a process id (older versions) older than this go


class SaveError(ProjectFileError):
    """A file could not be written; the previous version (if any) is unchanged."""


def temp_path(path: Path) -> Path:
    """A fresh temp name beside `path`, tagged with this process's id."""
    return path.with_name(f".{path.name[:_NAME_KEEP]}.{os.getpid()}.{secrets.token_hex(4)}"
                          f"{TMP_SUFFIX}")


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def atomic_save(path: Path, write: Callable[[Path], None], backup: bool = True) -> Path | None:
    """Write via `write(tmp)` then rename over `path`; returns the backup's path, if any."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    check_target(path)
    remove_orphans(path)
    tmp = temp_path(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        write(tmp)
        saved = commit(tmp, path, backup)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise save_error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return saved


def commit(tmp: Path, path: Path, backup: bool) -> Path | None:
    """Put a complete temp file in place: the target's permissions, fsync, the backup, the
    rename. Raises OSError (the caller removes `tmp`)."""
    _copy_mode(path, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    saved = keep_backup(path) if backup else None
    os.replace(tmp, path)
    return saved


def write_bytes(path: Path, data: bytes, backup: bool = True) -> Path | None:
    """`atomic_save` of a bytes value."""
    return atomic_save(path, lambda tmp: tmp.write_bytes(data), backup)


_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space or save to another disk"),
    errno.EDQUOT: ("the disk quota is used up", "free some space or save to another disk"),
    errno.EFBIG: ("the file is larger than this disk or a size limit allows",
                  "save to another disk"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter name"),
    errno.EACCES: ("the folder is not writable", "choose a folder you can write to"),
    errno.EPERM: ("the folder is not writable", "choose a folder you can write to"),
    errno.EROFS: ("the disk is read-only", "choose a folder you can write to"),
    errno.ENOENT: ("its folder does not exist", "create the folder or choose another"),
    errno.ENOTDIR: ("its folder does not exist", "create the folder or choose another"),
    errno.EISDIR: ("a folder has that name", "choose another name"),
}


def save_error(path: Path, exc: OSError) -> SaveError:
    """One sentence for a failed write of `path`."""
    reason, fix = _REASONS.get(exc.errno, (exc.strerror or str(exc) or type(exc).__name__,
                                           "try another folder"))
    kept = "the previous version is unchanged" if path.exists() else "nothing was written"
    return SaveError(f"cannot save {path.name[:80]}: {reason}; {fix} ({kept})")


def check_target(path: Path) -> None:
    """Refuse a target that is a folder or not a regular file (a pipe, a device)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise save_error(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise SaveError(f"cannot save {path.name[:80]}: a folder has that name; choose "
                        "another name")
    if not stat.S_ISREG(info.st_mode):
        raise SaveError(f"cannot save {path.name[:80]}: it is not a regular file (a device, "
                        "pipe or socket); choose another name")


def _copy_mode(path: Path, tmp: Path) -> None:
    """The target's permissions (and owner, where allowed) or a new file's default mode."""
    try:
        info = os.stat(path)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        return
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    if hasattr(os, "chown"):
        try:
            mine = os.stat(tmp)
            if (mine.st_uid, mine.st_gid) != (info.st_uid, info.st_gid):
                os.chown(tmp, info.st_uid, info.st_gid)
        except OSError:
            pass  # only the owner's own id can be kept; the mode is what matters


def keep_backup(path: Path) -> Path | None:
    """Keep the current `path` as NAME.bak (a hard link where possible); its path, or None."""
    if not path.is_file():
        return None
    bak = backup_path(path)
    tmp = temp_path(bak)
    try:
        os.link(path, tmp)  # the old content survives the rename through this link
    except OSError:
        shutil.copy2(path, tmp)
    try:
        os.replace(tmp, bak)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    # a backup that already is a link to the file (its save was killed after the backup):
    # renaming one link of a file onto another does nothing and leaves the temp name behind
    tmp.unlink(missing_ok=True)
    return bak


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- leftovers of killed saves ------------------------------------------------------------------
def remove_orphans(path: Path) -> list[Path]:
    """Remove temp files of `path` (and of its backup) left by processes that are gone."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name[:_NAME_KEEP]}."
    removed = []
    try:
        candidates = [p for p in folder.iterdir()
                      if p.name.startswith(prefix) and p.name.endswith(TMP_SUFFIX)]
    except OSError:
        return removed
    for tmp in candidates:
        if _orphaned(tmp, tmp.name[len(prefix):-len(TMP_SUFFIX)]):
            try:
                tmp.unlink()
                removed.append(tmp)
            except OSError:
                pass
    return removed


def _orphaned(tmp: Path, middle: str) -> bool:
    """`middle` is 'PID.RANDOM' (or 'bak.PID.RANDOM' for a backup's temp file)."""
    parts = middle.split(".")
    if len(parts) >= 2 and parts[-2].isdigit() and len(parts[-1]) == 8 and os.name != "nt":
        return not process_alive(int(parts[-2]))
    try:  # no process id to ask (an older version's file, or Windows): only once it is old
        return time.time() - tmp.lstat().st_mtime > _LEGACY_AGE_S
    except OSError:
        return False


def process_alive(pid: int) -> bool:
    """True if a process with this id runs on this machine (ours always does)."""
    if pid == os.getpid() or os.name == "nt":  # os.kill(pid, 0) would signal it on Windows
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
