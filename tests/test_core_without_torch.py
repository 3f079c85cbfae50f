"""The core must import and run without torch (torch is an optional extra)."""

from __future__ import annotations

import subprocess
import sys

BLOCK_TORCH = """
import sys

class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked for this test")
        return None

sys.meta_path.insert(0, _NoTorch())
import cnncalc
from cnncalc.cli import cli
report = cnncalc.analyse(cnncalc.load("32x32x3 | conv 10 k5 s1 p2 | relu | maxpool 2 | fc 10"))
assert report.totals.params == 26370
assert "torch" not in sys.modules
print("ok")
"""


def test_core_and_cli_import_and_run_with_torch_blocked() -> None:
    result = subprocess.run([sys.executable, "-c", BLOCK_TORCH], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
