"""The function code and its layer as `sam build` makes them: their size, and nothing that should not ship."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / ".aws-sam" / "build"
# Tests, packaging tools, what the Lambda runtime already has, and the local runner's dependencies.
NOT_SHIPPED = (
    "tests",
    "test",
    "pip",
    "setuptools",
    "wheel",
    "boto3",
    "botocore",
    "pytest",
    "moto",
    "mongomock",
    "pydantic",
    "voip_rooms_local",
)


def measure() -> dict[str, object]:
    subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "build"], check=True, capture_output=True
    )
    function, layer = BUILT / "RoomsFunction", BUILT / "DependenciesLayer"
    unwanted = sorted(
        {
            str(p.relative_to(BUILT))
            for root in (function, layer)
            for p in root.rglob("*")
            if p.is_dir() and p.name in NOT_SHIPPED and not _xray_patcher(p)
        }
    )
    return {
        "function_kb": _size(function) / 1024,
        "layer_mb": _size(layer) / 1024 / 1024,
        "unwanted": unwanted,
    }


def _xray_patcher(directory: Path) -> bool:
    """The X-Ray SDK's module that would patch a library (aws_xray_sdk/ext/botocore), not the library."""
    return directory.parent.name == "ext" and directory.parent.parent.name == "aws_xray_sdk"


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
