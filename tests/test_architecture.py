"""The layering of docs/architecture.md holds, and the check that guards it can fail.

`lint-imports` (import-linter) reads the contracts in pyproject.toml: each layer may import the
layers below it only, siblings separated by `|` not each other, `domain/` no framework, and no
module outside a context its tables (`<context>.models`).
The second test plants a forbidden import in a copy of the source tree and expects the same
check to refuse it by name, so a contract that silently stopped checking would show.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "pyproject.toml"


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` over the `saylau` package found under `source_root`."""
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [shutil.which("lint-imports") or "lint-imports"]
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [*command, "--no-cache", "--no-logo", str(CONFIG)],
        capture_output=True,
        text=True,
        env=env,
        cwd=source_root,
        check=False,
    )


def test_every_contract_is_kept() -> None:
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("api/routers/public.py", "import saylau.web.routes", "Layers"),
        ("results/service.py", "import saylau.observation.models", "Layers"),
        ("domain/protocol.py", "import sqlalchemy", "domain/ is pure"),
        (
            "publish/dataset.py",
            "from saylau.results.models import ProtocolVersion",
            "Tables belong to their context: results.models",
        ),
        (
            "api/routers/register.py",
            "from saylau.register.models import CheckinDevice",
            "Tables belong to their context: register.models",
        ),
        (
            "web/observe.py",
            "from saylau.observation.models import Mission",
            "Tables belong to their context: observation.models",
        ),
    ],
)
def test_a_forbidden_import_is_refused(
    tmp_path: Path, module: str, planted: str, contract: str
) -> None:
    tree = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "saylau", tree / "saylau",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    target = tree / "saylau" / module
    target.write_text(target.read_text() + f"\n{planted}  # planted by the test\n")
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout
    # a contract with ignored imports reports "BROKEN (1 ignored import)"
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert [line for line in broken if line.startswith(contract)], result.stdout
    importer = "saylau." + module.removesuffix(".py").replace("/", ".")
    assert importer in result.stdout, result.stdout
