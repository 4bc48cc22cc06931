"""PEP 517 backend: the durable_rules 2.0.28 wheel, built from the PyPI sdist with the upstream
3.13 fix (``PyEval_CallObject`` → ``PyObject_CallObject`` in ``src/rulespy/rules.c``).

The sdist comes from the package index pip is configured with (``pip download``), is checked
against the sha256 published for it, is unpacked with tarfile's ``data`` filter, patched (the
count of replaced calls is checked, so a different file fails loudly) and built by setuptools
like any sdist. Nothing else is fetched.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NAME, VERSION = "durable_rules", "2.0.28"
SDIST = f"{NAME}-{VERSION}.tar.gz"
SDIST_SHA256 = "053b26f5e48d312d4fa27995243f954671be6eece477f150c059c364eb4d7d61"
PATCHED_FILE = "src/rulespy/rules.c"
OLD, NEW, CALLS = "PyEval_CallObject(", "PyObject_CallObject(", 5


def _patched_source(work: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--no-build-isolation",
         "--dest", str(work), f"{NAME}=={VERSION}"],
        check=True,
    )
    archive = work / SDIST
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        raise RuntimeError(f"{SDIST}: sha256 {digest}, expected {SDIST_SHA256}")
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    source = work / f"{NAME}-{VERSION}"
    target = source / PATCHED_FILE
    text = target.read_text(encoding="utf-8")
    if text.count(OLD) != CALLS:
        raise RuntimeError(f"{PATCHED_FILE}: expected {CALLS} calls of {OLD!r}, found {text.count(OLD)}")
    target.write_text(text.replace(OLD, NEW), encoding="utf-8")
    return source


def build_wheel(wheel_directory: str, config_settings: dict[str, object] | None = None,
                metadata_directory: str | None = None) -> str:
    with tempfile.TemporaryDirectory(prefix="durable-rules-") as tmp:
        work = Path(tmp)
        source = _patched_source(work)
        out = work / "wheel"
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out),
             str(source)],
            check=True,
        )
        (wheel,) = out.glob("*.whl")
        shutil.copy2(wheel, Path(wheel_directory) / wheel.name)
        return wheel.name


def build_sdist(sdist_directory: str, config_settings: dict[str, object] | None = None) -> str:
    raise NotImplementedError("this project only builds the patched durable_rules wheel")
