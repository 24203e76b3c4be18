"""`python -m mutation [NAME ...]`: mutmut over the function package, survivors rechecked, one score.

Runs with the interpreter of `.venv-mutation` (mutmut 3 beside the project and its test dependencies).
mutmut names a mutant after its module path, so the package is mutated from a copy of the working
tree where it sits in a `src/` folder; the tests import that mutated copy. Each mutant runs in a
process forked from a server that has only collected the tests, so caches filled by earlier tests
(the resolvers, the CORS policy) are built again under the mutant. What runs at import or collection
(the settings read from the environment) is not, so a survivor in such code is tested once more in a
fresh interpreter.

Mutants that no test can notice are listed, each with its reason, in equivalents.txt; nothing else
is excluded. NAME narrows the run to mutants matching a glob such as 'voip_rooms.params.*';
--resume goes on with a run that was interrupted.
Everything is written under .mutation/ (results.json, survivors.txt with each survivor's diff,
mutmut.log); the last line printed is the score.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "functions" / "voip_rooms" / "voip_rooms"
EQUIVALENTS = Path(__file__).with_name("equivalents.txt")
OUT = ROOT / ".mutation"
WORK = OUT / "work"
MUTANTS = WORK / "mutants"
BIN = Path(sys.executable).parent
TESTS = ("tests/unit", "tests/integration")
# Tests of the template, the docs and the packaging: no mutant of the package reaches them (the
# packaging test imports the package in a subprocess of its own), and they are a third of the time.
NOT_REACHED = (
    "tests/unit/test_deployment_template.py",
    "tests/unit/test_template.py",
    "tests/unit/test_samconfig.py",
    "tests/unit/test_doc_links.py",
    "tests/unit/test_packaging.py",
)
PYTEST_OPTIONS = ("-p", "no:cacheprovider", *(f"--ignore={path}" for path in NOT_REACHED))
WORKERS = 2  # the machine's two cores; `make mutation` runs it at the lowest priority
SCORE_FLOOR, MODULE_FLOOR = 90.0, 85.0
# A fresh interpreter imports the whole stack before the first test: allow for it beyond the tests' time.
RECHECK_TIMEOUT_SECONDS = 600
KILLS_CONFIRMED = 10
# A mutant whose tests take this many times their clean run hangs (a deadline or a loop broken):
# a timeout counts as noticed. mutmut's default, 15, let each such mutant hold a worker for minutes.
TIMEOUT_MULTIPLIER = 4
# mutmut's estimate counts the tests' calls, not their fixtures (a moto account, a fake server): a
# floor under the limit, so that a loaded machine's slow setup is not mistaken for a hang.
TIMEOUT_SECONDS_ADDED = 5

# mutmut's verdicts (its exit codes per mutant) that count as noticed, and those rechecked.
NOTICED = {1, 3, 36, 24, -24, 152, 255, -11, -9, 37}  # failed, internal error, timeout, crash, type check
UNNOTICED = {0, 5, 33, 35}  # survived, no tests ran, none cover it, suspicious

MUTMUT_CONFIG = """
[tool.mutmut]
source_paths = ["src/voip_rooms"]
also_copy = {also_copy}
pytest_add_cli_args_test_selection = {tests}
pytest_add_cli_args = {options}
process_isolation = "forkserver"
timeout_multiplier = {timeout_multiplier}
timeout_constant = {timeout_constant}
use_git_change_detection = false
"""


@dataclass
class Mutant:
    name: str
    module: str
    verdict: str  # killed, survived, equivalent
    exit_code: int
    tests: list[str] = field(default_factory=list)


def main(arguments: Sequence[str]) -> int:
    started = time.monotonic()
    resume = "--resume" in arguments
    names = [name for name in arguments if name != "--resume"]
    equivalents = read_equivalents(EQUIVALENTS.read_text())
    if resume and (MUTANTS / "mutmut-stats.json").exists():
        # mutmut runs only the mutants without a verdict: an interrupted run goes on where it
        # stopped, on the copy of the code it started with.
        print(f"resuming the run staged in {WORK}", flush=True)
    else:
        stage()
    print(f"mutmut: {MUTANTS} ({WORKERS} workers); its output goes to {OUT / 'mutmut.log'}", flush=True)
    with (OUT / "mutmut.log").open("a" if resume else "w") as log:
        run = subprocess.run(
            [BIN / "mutmut", "run", "--max-children", str(WORKERS), *names],
            cwd=WORK,
            env={**os.environ, "PYTHONPATH": str(WORK / "local")},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if run.returncode != 0:
        print(f"mutmut failed (exit {run.returncode}); see {OUT / 'mutmut.log'}")
        return 2
    mutants = read_verdicts()
    unknown = sorted(set(equivalents) - set(mutants))
    if unknown and not names:
        print(f"equivalents.txt names mutants that no longer exist (the code changed): {unknown}")
        return 2
    # A kill that a fresh interpreter does not repeat means the tests failed for another reason
    # (state left by the fork server's first session): then no verdict can be trusted.
    failed = sorted(m.name for m in mutants.values() if m.exit_code == 1)
    chosen = random.Random(0).sample(failed, min(KILLS_CONFIRMED, len(failed)))  # noqa: S311 - not a secret
    sample = [mutants[name] for name in chosen]
    with ThreadPoolExecutor(WORKERS) as pool:
        unconfirmed = [
            m.name
            for m, noticed in zip(sample, pool.map(noticed_in_fresh_process, sample), strict=True)
            if not noticed
        ]
    if unconfirmed:
        print(f"kills that a fresh interpreter does not repeat (the harness is broken): {unconfirmed}")
        return 2
    print(f"{len(sample)} sampled kills repeated in fresh interpreters", flush=True)
    # Only code that ran while the tests were collected ran before the fork: every other survivor's
    # verdict is already that of a fresh interpreter, and rechecking it would only cost time.
    collected = functions_run_while_collecting()
    survivors = [m for m in mutants.values() if m.verdict == "survived" and function_of(m.name) in collected]
    print(
        f"rechecking {len(survivors)} survivors of code run at collection in fresh interpreters", flush=True
    )
    with ThreadPoolExecutor(WORKERS) as pool:
        # Against the whole suite: a test that reads what ran at import (the index table) calls no
        # function of the module, so mutmut never traced it to the module.
        whole_suite = [replace(mutant, tests=list(TESTS)) for mutant in survivors]
        for mutant, noticed in zip(survivors, pool.map(noticed_in_fresh_process, whole_suite), strict=True):
            if noticed:
                mutant.verdict = "killed"
    # A listed mutant that a test kills is no equivalent (or the code moved its number): it counts
    # as killed, and the run fails so that the list is corrected.
    wrongly_listed = sorted(n for n in equivalents if n in mutants and mutants[n].verdict == "killed")
    for name in set(equivalents) - set(wrongly_listed):
        if name in mutants:
            mutants[name].verdict = "equivalent"
    write_results(mutants.values())
    print(f"took {time.monotonic() - started:.0f} s; survivors and their diffs: {OUT / 'survivors.txt'}")
    if wrongly_listed:
        print(f"equivalents.txt lists mutants that a test kills (correct the list): {wrongly_listed}")
    return report(mutants.values()) or (2 if wrongly_listed else 0)


def read_equivalents(text: str) -> dict[str, str]:
    """`<mutant name> <reason>` per line; a line without a reason is refused."""
    equivalents: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, reason = line.strip().partition(" ")
        if not reason.strip():
            raise SystemExit(f"equivalents.txt line {number}: {name} needs a reason")
        equivalents[name] = reason.strip()
    return equivalents


def stage() -> None:
    """A copy of the working tree with the package under src/, and mutmut's settings in pyproject.toml.

    The local runner the tests use is imported from this copy too (PYTHONPATH), not from the
    editable install: the working tree may change while the run goes on.
    """
    shutil.rmtree(OUT, ignore_errors=True)
    WORK.mkdir(parents=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            (WORK / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, WORK / relative)
    shutil.copytree(PACKAGE, WORK / "src" / "voip_rooms", ignore=shutil.ignore_patterns("__pycache__"))
    top_level = sorted(p.name for p in WORK.iterdir() if p.name not in ("src", "tests", "pyproject.toml"))
    config = MUTMUT_CONFIG.format(
        also_copy=json.dumps(top_level),
        tests=json.dumps(list(TESTS)),
        options=json.dumps(list(PYTEST_OPTIONS)),
        timeout_multiplier=TIMEOUT_MULTIPLIER,
        timeout_constant=TIMEOUT_SECONDS_ADDED,
    )
    with (WORK / "pyproject.toml").open("a") as pyproject:
        pyproject.write(config)


def read_verdicts() -> dict[str, Mutant]:
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    # Per module, not per function: a function that runs at import (a table built from it, the
    # settings) is traced only to the first test of the session, yet every test of its module sees it.
    tests_by_module: dict[str, list[str]] = {}
    for function, tests in stats["tests_by_mangled_function_name"].items():
        module = function.removeprefix("voip_rooms.").partition(".")[0]
        tests_by_module[module] = sorted({*tests_by_module.get(module, []), *tests})
    mutants: dict[str, Mutant] = {}
    for meta in sorted((MUTANTS / "src" / "voip_rooms").glob("*.py.meta")):
        module = meta.name.removesuffix(".py.meta")
        for name, exit_code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if exit_code in NOTICED:
                verdict = "killed"
            elif exit_code in UNNOTICED:
                verdict = "survived"
            else:
                continue  # not run: outside NAME
            mutants[name] = Mutant(name, module, verdict, exit_code, tests_by_module.get(module, []))
    return mutants


def functions_run_while_collecting() -> set[str]:
    """Functions mutmut saw before the first test ended: at import or collection, or by that test.

    mutmut credits every function called while the tests are collected to the first test that runs.
    """
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    first_test = next(iter(stats["duration_by_test"]))  # in the order the tests ran
    return {name for name, tests in stats["tests_by_mangled_function_name"].items() if first_test in tests}


def function_of(mutant_name: str) -> str:
    return mutant_name.rpartition("__mutmut_")[0]


def noticed_in_fresh_process(mutant: Mutant) -> bool:
    """The given tests (its module's, or the whole suite when none was traced there) in a new interpreter."""
    env = {
        **os.environ,
        "MUTANT_UNDER_TEST": mutant.name,
        "PYTHONPATH": f"{MUTANTS / 'src'}:{WORK / 'local'}",
    }
    command = [str(BIN / "python"), "-m", "pytest", "-x", "-q", "--rootdir=.", *PYTEST_OPTIONS]
    try:
        result = subprocess.run(
            [*command, *(mutant.tests or TESTS)],
            cwd=MUTANTS,
            env=env,
            capture_output=True,
            timeout=RECHECK_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return True
    if result.returncode == 4 and b"ERROR collecting" in result.stdout:
        return True  # the mutant broke an import: every test of the module fails
    if result.returncode in (4, 5):
        # pytest could not find the tests: a harness fault, not a verdict.
        raise RuntimeError(f"{mutant.name}: pytest exit {result.returncode}: {result.stdout[-2000:]!r}")
    # 1: a test failed; 2: collection broke (the mutant broke an import); 3: pytest's internal error.
    return result.returncode != 0


def write_results(mutants: Iterable[Mutant]) -> None:
    everything = sorted(mutants, key=lambda m: m.name)
    (OUT / "results.json").write_text(
        json.dumps({m.name: {"module": m.module, "verdict": m.verdict} for m in everything}, indent=1)
    )
    with (OUT / "survivors.txt").open("w") as out:
        for mutant in everything:
            if mutant.verdict == "survived":
                shown = subprocess.run(
                    [BIN / "mutmut", "show", mutant.name],
                    cwd=WORK,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                out.write(shown.stdout + "\n")


def report(mutants: Iterable[Mutant]) -> int:
    counts: dict[str, Counter[str]] = {}
    for mutant in mutants:
        counts.setdefault(mutant.module, Counter())[mutant.verdict] += 1
    print(f"{'module':<16}{'mutants':>8}{'killed':>8}{'survived':>9}{'equivalent':>11}{'score':>8}")
    failing = False
    for module, count in sorted(counts.items()):
        score = _score(count)
        failing |= score < MODULE_FLOOR
        print(
            f"{module:<16}{count.total():>8}{count['killed']:>8}{count['survived']:>9}"
            f"{count['equivalent']:>11}{score:>7.1f}%"
        )
    total = sum(counts.values(), Counter[str]())
    score = _score(total)
    killed, considered, excluded = total["killed"], total["killed"] + total["survived"], total["equivalent"]
    print(f"mutation score: {score:.1f}% (killed {killed} of {considered}; {excluded} equivalent excluded)")
    return 1 if failing or score < SCORE_FLOOR else 0


def _score(count: Counter[str]) -> float:
    considered = count["killed"] + count["survived"]
    return 100.0 * count["killed"] / considered if considered else 100.0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
