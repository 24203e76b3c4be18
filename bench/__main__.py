"""`make bench`: a line per budget (product, floor, ratio, target, PASS/FAIL); also bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore

from bench import cold_start, export, loading, package_size, round_trips
from bench.artifacts import ROOT, built_artifacts, runtime_botocore
from voip_rooms.settings import SETTINGS

RESULTS = ROOT / "bench" / "results.json"
# Any caller with credentials can send the worst body the limits allow: its parsing stays this cheap.
PARSING_BUDGET_MS = 5
# (budget, round_trips key, floor, most commands): a walk's pages, by offset and by cursor, included.
COMMAND_BUDGETS = (
    ("page tells the total", "page_tells_total", "5 (Rocket.Chat)", 2),
    ("page cannot tell it", "page_cannot_tell", "5 (Rocket.Chat)", 3),
    ("offset page (offset=250)", "offset_page", "5 (Rocket.Chat)", 3),
    ("cursor page (after=next)", "cursor_page", "1 find + auth", 2),
)


def _runtime() -> str:
    """The function's runtime (python3.13) when the machine has it, else this interpreter.

    The real executable, not a version manager's shim: the measured processes get a bare environment.
    """
    found = shutil.which("python3.13")
    if not found:
        return sys.executable
    real = subprocess.run(
        [found, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True, check=False
    )
    return real.stdout.strip() or sys.executable


def _in_runtime(python: str, function_dir: Path, layer_dir: Path, module: str, *args: str) -> dict[str, Any]:
    """Run one of the bench's modules in the function's runtime, its built code and layer on the path;
    the JSON object it prints last."""
    code = (
        f"import sys; sys.path[:0] = [{str(function_dir)!r}, {str(layer_dir)!r}, {str(ROOT)!r}]; "
        f"sys.argv = {[module, *args]!r}; import runpy; runpy.run_module({module!r}, run_name='__main__')"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "INTEGRATION_USER_ID": "bench-admin"}
    output = subprocess.run(
        [python, "-I", "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _line(
    budget: str, product: str, floor: str, *, ratio: float | None, target: str, passed: bool
) -> dict[str, Any]:
    return {
        "budget": budget,
        "product": product,
        "floor": floor,
        "ratio": ratio,
        "target": target,
        "result": "PASS" if passed else "FAIL",
    }


def _ratio_line(
    budget: str,
    product: float,
    floor: float,
    unit: str,
    limit: float | None,
    *,
    ratio: float | None = None,
    spread: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """A budget measured against its floor (the ratio of the two, unless measured otherwise); without
    a limit the ratio is only reported."""
    digits = 0 if unit == "us" else 1
    ratio = product / floor if ratio is None else ratio
    line = _line(
        budget,
        f"{product:.{digits}f} {unit}",
        f"{floor:.{digits}f} {unit}",
        ratio=ratio,
        target=f"<= {limit:g}x" if limit is not None else "reported",
        passed=limit is None or ratio <= limit,
    )
    if spread is not None:
        line["spread"] = f"{spread[0]:.2f}-{spread[1]:.2f}x"
    return line


def _warm_line(
    budget: str, warm: dict[str, float], name: str, limit: float, floor: str = "floor"
) -> dict[str, Any]:
    """A warm budget: the median of per-batch ratios to the floor's batches (or another path's), with
    their spread (bench/warm.py)."""
    spread = (warm[f"{name}_p10"], warm[f"{name}_p90"])
    product, base, ratio = warm[f"{name}_us"], warm[f"{floor}_us"], warm[f"{name}_ratio"]
    return _ratio_line(budget, product, base, "us", limit, ratio=ratio, spread=spread)


def _export_lines(exported: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """Throughput against one sorted read of everything (CPU compared; rooms/s as seen, wall), and the
    export's own peak memory at four times the rooms: flat, or it grew with the count."""
    small, large = (exported[f"product_{rooms}"] for rooms in export.COUNTS)
    floor = exported[f"floor_{export.COUNTS[0]}"]
    cpu_ratio = small["cpu_s"] / floor["cpu_s"]
    memory_ratio = large["growth_mb"] / small["growth_mb"]
    return [
        _bounded_line(
            f"export, {export.COUNTS[0]:,} rooms (embedded), CPU",
            f"{small['rooms_per_s']:,.0f} rooms/s ({small['cpu_s']:.1f} s CPU)",
            f"{floor['rooms_per_s']:,.0f} rooms/s",
            cpu_ratio,
            1.5,
        ),
        _line(
            f"export, {export.COUNTS[1]:,} rooms (embedded)",
            f"{large['rooms_per_s']:,.0f} rooms/s ({large['cpu_s']:.1f} s CPU)",
            "-",
            ratio=None,
            target="reported",
            passed=True,
        ),
        _bounded_line(
            f"export memory, {export.COUNTS[1]:,} vs {export.COUNTS[0]:,} rooms",
            f"{large['growth_mb']:.0f} MB",
            f"{small['growth_mb']:.0f} MB",
            memory_ratio,
            1.2,
            note=" (flat)",
        ),
    ]


def _bounded_line(
    budget: str, product: str, floor: str, ratio: float, limit: float, *, note: str = ""
) -> dict[str, Any]:
    return _line(budget, product, floor, ratio=ratio, target=f"<= {limit:g}x{note}", passed=ratio <= limit)


def main() -> int:
    python = _runtime()
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"bench: Python {version} ({python}), {platform.machine()}, {os.cpu_count()} cores", flush=True)
    function_dir, layer_dir = built_artifacts(python)
    # The X-Ray SDK needs botocore, which Lambda's runtime provides (the version this project tests with).
    runtime_path = str(runtime_botocore(python, botocore.__version__))
    traced = {"TRACE_DATABASE_COMMANDS": "true", "RUNTIME_PATH": runtime_path}
    variants = {"traced": traced, "swagger": {"ENABLE_SWAGGER_UI": "true"}}
    cold = cold_start.measure(python, function_dir, layer_dir, runs=21, variants=variants)
    warm = _in_runtime(python, function_dir, layer_dir, "bench.warm", "181")
    parsing = _in_runtime(python, function_dir, layer_dir, "bench.parsing")
    trips = round_trips.measure()
    size = package_size.measure()
    load = loading.measure(runs=3)
    exported = export.measure()
    load_cpu_ratio = load["product_cpu_s"] / load["floor_cpu_s"]
    load_rss_ratio = load["product_peak_mb"] / load["floor_peak_mb"]
    lines = [
        _ratio_line("cold start, wall (median of 21)", cold["product_ms"], cold["floor_ms"], "ms", 1.6),
        # Opt-in (TraceDatabaseCommands): its cost is reported for the operator's choice.
        _ratio_line("cold start, commands traced (opt-in)", cold["traced_ms"], cold["floor_ms"], "ms", None),
        # Opt-in (EnableSwaggerUi): the page loads on its first visit, never at a cold start.
        _ratio_line("cold start, Swagger UI on (opt-in)", cold["swagger_ms"], cold["floor_ms"], "ms", None),
        _ratio_line("cold start, peak memory", cold["product_rss_mb"], cold["floor_rss_mb"], "MB", 1.5),
        _warm_line(f"warm request, {50} rooms ({warm['page_bytes'] // 1024} KB)", warm, "product", 6),
        _warm_line("warm request, request line off", warm, "quiet", 5),
        # Against the REST request beside it: an integration event may cost no more.
        _warm_line("warm integration event (vs REST)", warm, "integration", 1, floor="product"),
        _warm_line(
            "  with the runtime's writing (vs REST)", warm, "integration_written", 1, floor="rest_written"
        ),
        _line(
            f"parsing, worst {SETTINGS.max_body_bytes // 1024} KB body (CPU)",
            f"{parsing['worst_ms']:.2f} ms ({parsing['worst_body']})",
            "-",
            ratio=None,
            target=f"<= {PARSING_BUDGET_MS:g} ms",
            passed=parsing["worst_ms"] <= PARSING_BUDGET_MS,
        ),
        *(
            _line(
                f"commands, {label}",
                str(trips[key]),
                floor,
                ratio=None,
                target=f"<= {most}",
                passed=trips[key] <= most,
            )
            for label, key, floor, most in COMMAND_BUDGETS
        ),
        _line(
            f"local load of a {load['rooms']:,}-room dump, CPU",
            f"{load['product_cpu_s']:.1f} s ({load['product_wall_s']:.1f} s wall)",
            f"{load['floor_cpu_s']:.1f} s",
            ratio=load_cpu_ratio,
            target="<= 2x",
            passed=load_cpu_ratio <= 2,
        ),
        _line(
            "local load, peak memory",
            f"{load['product_peak_mb']:.0f} MB",
            f"{load['floor_peak_mb']:.0f} MB",
            ratio=load_rss_ratio,
            target="<= 1.2x",
            passed=load_rss_ratio <= 1.2,
        ),
        *_export_lines(exported),
        _line(
            "deployment size (sam build)",
            f"function {size['function_kb']:.0f} KB, layer {size['layer_mb']:.1f} MB",
            "-",
            ratio=None,
            target="nothing unwanted",
            passed=not size["unwanted"],
        ),
    ]
    print(f"{'budget':<38} {'product':>34} {'floor':>16} {'ratio':>7} {'spread':>12} {'target':>17} result")
    for line in lines:
        ratio = f"{line['ratio']:.2f}x" if line["ratio"] is not None else "-"
        print(
            f"{line['budget']:<38} {line['product']:>34} {line['floor']:>16} {ratio:>7} "
            f"{line.get('spread', '-'):>12} {line['target']:>17} {line['result']}"
        )
    unwanted: list[str] = list(size["unwanted"])  # type: ignore[call-overload]
    if unwanted:
        print(f"unwanted in the build: {', '.join(unwanted)}")
    RESULTS.write_text(
        json.dumps(
            {
                "python": version,
                "machine": platform.machine(),
                "budgets": lines,
                "raw": {
                    "cold_start": cold,
                    "warm": warm,
                    "parsing": parsing,
                    "round_trips": trips,
                    "size": size,
                    "loading": load,
                    "export": exported,
                },
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if all(line["result"] == "PASS" for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
