"""The function and its layer, built natively by the same Makefiles `sam build` runs (bytecode included)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "bench" / ".build"
LAYER_SOURCE = ROOT / "layers" / "dependencies"
FUNCTION_SOURCE = ROOT / "functions" / "voip_rooms"


def built_artifacts(python: str) -> tuple[Path, Path]:
    """(function dir, layer python dir) for this interpreter, rebuilt when a source or a recipe changed."""
    sources = [
        *sorted(FUNCTION_SOURCE.rglob("*.py")),
        FUNCTION_SOURCE / "Makefile",
        ROOT / "openapi.json",
        LAYER_SOURCE / "requirements.txt",
        LAYER_SOURCE / "requirements-no-deps.txt",
        LAYER_SOURCE / "Makefile",
    ]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources) + python.encode()).hexdigest()
    stamp = BUILD / "stamp"
    function_dir, layer_dir = BUILD / "function", BUILD / "layer"
    if not stamp.exists() or stamp.read_text() != digest:
        subprocess.run(["rm", "-rf", str(BUILD)], check=True)
        for name, source, target in (
            ("RoomsFunction", FUNCTION_SOURCE, function_dir),
            ("DependenciesLayer", LAYER_SOURCE, layer_dir),
        ):
            target.mkdir(parents=True)
            subprocess.run(
                [
                    "make",
                    "--no-print-directory",
                    "-C",
                    str(source),
                    f"build-{name}",
                    f"ARTIFACTS_DIR={target}",
                    f"PYTHON={python}",
                    "PIP_TARGET_ARGS=",
                ],
                check=True,
            )
        stamp.write_text(digest)
    return function_dir, layer_dir / "python"


def runtime_botocore(python: str, version: str) -> Path:
    """botocore as the Lambda runtime provides it (after the layers, compiled), for what imports it."""
    target = BUILD / "runtime"
    stamp = target / "stamp"
    if not stamp.exists() or stamp.read_text() != version:
        subprocess.run(["rm", "-rf", str(target)], check=True)
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
        subprocess.run([*pip, "--target", str(target), f"botocore=={version}"], check=True)
        compile_all = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
        subprocess.run([*compile_all, str(target)], check=True)
        stamp.write_text(version)
    return target
