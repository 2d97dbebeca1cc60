"""Where commands write: checked before any work is done, so no output destroys the user's work.

`check_output(path, inputs, force)` refuses (one `CliError` sentence) an output that is one of
the command's inputs (the design, its data files; also through links), an existing file
unless `--force` is given (the old file is then kept as `NAME.bak`), a folder, a pipe or
device, a missing or read-only folder, a name longer than the file system allows, and a disk
without room for what will be written. It returns True when an existing file will be
replaced (so the writer keeps a backup).
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from backend.cli import CliError

_SPACE_MARGIN = 1024 * 1024


def check_output(path: Path, inputs: list[Path] | tuple[Path, ...] = (), force: bool = False,
                 *, flag: str = "the output", needs: int = 0,
                 role: str = "the file being read") -> bool:
    """Refuse an output that would destroy work or cannot be written; True if it replaces an
    existing file (only with `force`)."""
    path = Path(path)
    if not path.name or path.name in (".", ".."):
        raise CliError(f"'{path}' is not a file name: give {flag} a name such as model.py")
    folder = path.parent if str(path.parent) else Path(".")
    _check_name(folder, path)
    for source in inputs:
        if same_file(path, source):
            what = role if source == inputs[0] else "one of the files it reads"
            raise CliError(f"{path} is {what}: writing {flag} there would destroy it; "
                           "choose another name")
    exists = _existing_kind(path, flag)
    if exists and not force:
        raise CliError(f"{path} already exists: choose another name, or pass --force to "
                       f"replace it (the old file is then kept as {path.name}.bak)")
    _check_folder(folder, path, flag)
    if needs:
        check_space(folder, needs, path)
    return exists


def same_file(a: Path, b: Path) -> bool:
    """True when `a` and `b` name the same file (the same path, a link, or a hard link)."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.abspath(a) == os.path.abspath(b)


def _existing_kind(path: Path, flag: str) -> bool:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CliError(f"cannot write {path} ({exc.strerror}): choose another name") from None
    if stat.S_ISDIR(mode):
        raise CliError(f"{path} is a folder: give {flag} a file name inside it")
    if not stat.S_ISREG(mode):
        raise CliError(f"{path} is not a regular file (a pipe, device or socket): choose "
                       f"another name for {flag}")
    return True


def _check_folder(folder: Path, path: Path, flag: str) -> None:
    if not folder.is_dir():
        raise CliError(f"folder {folder} does not exist: create it first or choose another "
                       f"place for {flag}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"folder {folder} is not writable: choose another place for {flag}")


def _check_name(folder: Path, path: Path) -> None:
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    if len(os.fsencode(path.name)) > limit:
        raise CliError(f"the name {path.name[:40]}… is longer than this file system allows "
                       f"({limit} bytes): choose a shorter name")


def check_space(folder: Path, needs: int, path: Path) -> None:
    """Refuse when the disk holding `folder` has no room for `needs` bytes."""
    from backend.memory import gb

    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if needs + _SPACE_MARGIN > free:
        raise CliError(f"the disk holding {folder} has {gb(free)} free but {path.name} needs "
                       f"about {gb(needs)}: free some space or write it elsewhere")
