"""Atomic file writing: a report is either completely written or not there at all.

Before writing, the target is checked (:func:`check_target`): never one of this run's input files
(:func:`protect`), a directory, a device, a FIFO or a socket; a symbolic link only with the
explicit ``--replace-symlinks`` (then the link itself is replaced, never the file it points to).
Temporary files are ``.<name>.<pid>.<random>.part`` beside the target; one left by a writer that
was killed (its process no longer exists) is removed by the next write to the same target.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


class OutputRefused(OSError):
    """An output path junheng will not write to (bilingual reason in ``strerror``)."""

    def __init__(self, path: Path, zh: str, en: str) -> None:
        super().__init__(0, f"{zh} / {en}", str(path))


REPLACE_SYMLINKS = False
"""Set by ``junheng --replace-symlinks``: an output path that is a symbolic link is replaced."""

_PROTECTED: set[tuple[int, int]] = set()


def protect(*paths: Path | str | None) -> None:
    """Mark files this run reads: writing an output over one of them is refused."""
    for path in paths:
        if path is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode):
                _PROTECTED.add((st.st_dev, st.st_ino))


def check_target(path: Path) -> None:
    """Raise :class:`OutputRefused` when ``path`` must not be written (see the module notes)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:  # NUL in the name, a name too long …
        raise OutputRefused(path, f"无法使用此输出路径（{exc}）", f"unusable output path ({exc})") from None
    if stat.S_ISLNK(st.st_mode):
        if not REPLACE_SYMLINKS:
            raise OutputRefused(path, "输出路径是符号链接；确需替换链接本身请加 --replace-symlinks",
                                "the output path is a symbolic link; add --replace-symlinks to replace the link itself")
        return
    if stat.S_ISDIR(st.st_mode):
        raise OutputRefused(path, "输出路径是一个目录", "the output path is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise OutputRefused(path, "输出路径不是普通文件（设备、管道或套接字）",
                            "the output path is not a regular file (a device, FIFO or socket)")
    if (st.st_dev, st.st_ino) in _PROTECTED:
        raise OutputRefused(path, "输出路径是本次运行的输入文件，不会覆盖它",
                            "the output path is an input file of this run; it is not overwritten")


_PART = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[^.]+\.part")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_parts(path: Path) -> list[Path]:
    """Remove temporary files of earlier writes to ``path`` whose writer no longer runs."""
    removed: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            m = _PART.fullmatch(entry.name)
            if m is None or m["name"] != path.name or _alive(int(m["pid"])):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _final_mode(path: Path) -> int:
    """An existing file keeps its permissions; a new one (or a replaced link) gets 0666 minus the umask."""
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            raise FileNotFoundError
        return st.st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[tuple[int, Path]]:
    """A temporary file beside ``path`` — its open descriptor and its path, for writers that place
    bytes by offset (``os.pwrite``), perhaps from other processes — renamed over ``path`` only on
    success (after ``fsync``). On any error (or KeyboardInterrupt) the temporary file is removed
    and ``path`` is untouched."""
    check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_parts(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent)
    try:
        try:
            # mkstemp creates 0600; the report gets the mode a plain open() would give it
            os.fchmod(fd, _final_mode(path))
            yield fd, Path(tmp)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and rename it over ``path`` only on success.

    On any error (or KeyboardInterrupt) the temporary file is removed and ``path`` is untouched.
    """
    with atomic_file(path) as (fd, _tmp), \
            os.fdopen(os.dup(fd), mode, encoding=encoding if "b" not in mode else None) as handle:
        yield handle
        handle.flush()


@contextlib.contextmanager
def atomic_binary(path: Path) -> Iterator[IO[bytes]]:
    """:func:`atomic_open` for bytes."""
    with atomic_file(path) as (fd, _tmp), os.fdopen(os.dup(fd), "wb") as handle:
        yield handle
        handle.flush()


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_open(path) as handle:
        handle.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_binary(path) as handle:
        handle.write(data)
