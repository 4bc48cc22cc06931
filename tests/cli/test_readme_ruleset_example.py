"""The README's worked example of extending a ruleset and testing it with a case file really runs.

The two YAML blocks under "编写并检验规则集" are written to a folder as the README names them, then
`junheng test cases.yaml` must pass (exit 0): 1289 × 6.5 − 4450 = 3928.5 m² under the stricter override.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from junheng.cli.app import main

ROOT = Path(__file__).resolve().parents[2]


def _readme_blocks() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## 编写并检验规则集", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n# (\S+)\n(.*?)```", section, flags=re.S)
    return {name: body for name, body in blocks}


def test_readme_ruleset_and_case_file_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _readme_blocks()
    assert set(blocks) == {"my-county.yaml", "cases.yaml"}
    for name, body in blocks.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    here = Path.cwd()
    os.chdir(tmp_path)  # the case names its ruleset by a relative path, as the README shows
    try:
        with pytest.raises(SystemExit) as info:
            main(["test", "cases.yaml"])
    finally:
        os.chdir(here)
    out, err = capsys.readouterr()
    assert info.value.code in (0, None), out + err
    assert "1 个通过" in out
