"""Just enough of Step Functions (Amazon States Language, JSONPath) to run the README's state machine
against lambda_handler: Task (arn:aws:states:::lambda:invoke) with Parameters, ResultSelector,
ResultPath, Retry and Catch; Pass; Choice on IsNull; Succeed; Fail; the intrinsic States.JsonMerge.

Anything else in a definition is refused rather than guessed at, so that a test never passes on a
state machine this reads differently from Step Functions. Retries do not wait: their intervals are
recorded instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_JSON_MERGE = re.compile(r"States\.JsonMerge\((\$[^,]*),\s*(\$[^,]*),\s*false\)")
_STATE_FIELDS = {
    "Task": {
        "Type",
        "Resource",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Retry",
        "Catch",
        "Next",
        "End",
    },
    "Pass": {"Type", "Comment", "Parameters", "ResultPath", "Next", "End"},
    "Choice": {"Type", "Choices", "Default"},
    "Succeed": {"Type"},
    "Fail": {"Type", "Error", "Cause", "ErrorPath", "CausePath"},
}


class TaskFailed(Exception):
    """A task's failure as Step Functions names it: the Lambda function error's errorType."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(error)
        self.error, self.cause = error, cause


@dataclass
class Execution:
    status: str = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    states: list[str] = field(default_factory=list)
    retry_intervals: list[float] = field(default_factory=list)


def path_value(data: Any, path: str) -> Any:
    """A JSONPath of the form $ or $.a.b."""
    if path == "$":
        return data
    if not path.startswith("$."):
        raise NotImplementedError(path)
    for name in path[2:].split("."):
        data = data[name]
    return data


def _with_result(data: Any, path: str | None, result: Any) -> Any:
    if path is None or path == "$":
        return result
    names = path[2:].split(".")
    updated = json.loads(json.dumps(data))
    holder = updated
    for name in names[:-1]:
        holder = holder.setdefault(name, {})
    holder[names[-1]] = result
    return updated


def resolve(template: Any, data: Any) -> Any:
    """Parameters or ResultSelector filled from ``data``: keys ending in .$ take a path or JsonMerge."""
    if not isinstance(template, dict):
        return template
    resolved: dict[str, Any] = {}
    for key, value in template.items():
        if key.endswith(".$"):
            merge = _JSON_MERGE.fullmatch(value)
            if merge:
                resolved[key[:-2]] = path_value(data, merge[1]) | path_value(data, merge[2])
            else:
                resolved[key[:-2]] = path_value(data, value)
        else:
            resolved[key] = resolve(value, data)
    return resolved


def _matches(names: list[str], error: str) -> bool:
    return (
        error in names
        or "States.ALL" in names
        or ("States.TaskFailed" in names and error != "States.Timeout")
    )


def run(
    definition: dict[str, Any], execution_input: Any, invoke: Callable[[Any], Any], max_steps: int = 1_000
) -> Execution:
    """Run a state machine whose lambda:invoke tasks call ``invoke(payload)``: it returns the function's
    result, or raises TaskFailed."""
    execution = Execution()
    data, name = execution_input, definition["StartAt"]
    for _ in range(max_steps):
        state = definition["States"][name]
        unknown = set(state) - _STATE_FIELDS[state["Type"]]
        if unknown:
            raise NotImplementedError(f"{name}: {sorted(unknown)}")
        execution.states.append(name)
        kind = state["Type"]
        if kind == "Succeed":
            execution.status, execution.output = "SUCCEEDED", data
            return execution
        if kind == "Fail":
            execution.status = "FAILED"
            execution.error = (
                path_value(data, state["ErrorPath"]) if "ErrorPath" in state else state.get("Error")
            )
            execution.cause = (
                path_value(data, state["CausePath"]) if "CausePath" in state else state.get("Cause")
            )
            return execution
        if kind == "Choice":
            name = _choose(state, data)
            continue
        if kind == "Pass":
            data = _with_result(
                data, state.get("ResultPath", "$"), resolve(state.get("Parameters", data), data)
            )
        else:
            try:
                result = _task(state, data, invoke, execution)
            except TaskFailed as failure:
                catcher = next(
                    (c for c in state.get("Catch", []) if _matches(c["ErrorEquals"], failure.error)), None
                )
                if catcher is None:
                    execution.status, execution.error, execution.cause = (
                        "FAILED",
                        failure.error,
                        failure.cause,
                    )
                    return execution
                data = _with_result(
                    data, catcher.get("ResultPath", "$"), {"Error": failure.error, "Cause": failure.cause}
                )
                name = catcher["Next"]
                continue
            data = _with_result(data, state.get("ResultPath", "$"), result)
        if state.get("End"):
            execution.status, execution.output = "SUCCEEDED", data
            return execution
        name = state["Next"]
    raise RuntimeError("the state machine did not end")


def _choose(state: dict[str, Any], data: Any) -> str:
    for choice in state["Choices"]:
        if set(choice) != {"Variable", "IsNull", "Next"}:
            raise NotImplementedError(choice)
        if (path_value(data, choice["Variable"]) is None) == choice["IsNull"]:
            return str(choice["Next"])
    return str(state["Default"])


def _task(state: dict[str, Any], data: Any, invoke: Callable[[Any], Any], execution: Execution) -> Any:
    if state["Resource"] != LAMBDA_INVOKE:
        raise NotImplementedError(state["Resource"])
    parameters = resolve(state["Parameters"], data)
    attempts: dict[int, int] = {}
    while True:
        try:
            # Lambda writes the result as JSON and Step Functions reads it back: only JSON survives.
            payload = json.loads(json.dumps(invoke(parameters["Payload"])))
            break
        except TaskFailed as failure:
            index, retrier = next(
                (
                    (i, r)
                    for i, r in enumerate(state.get("Retry", []))
                    if _matches(r["ErrorEquals"], failure.error)
                ),
                (None, None),
            )
            if index is None or retrier is None:
                raise
            attempts[index] = attempts.get(index, 0) + 1
            if attempts[index] > retrier.get("MaxAttempts", 3):
                raise
            interval = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** (
                attempts[index] - 1
            )
            execution.retry_intervals.append(interval)
    result = {"Payload": payload, "StatusCode": 200}
    return resolve(state["ResultSelector"], result) if "ResultSelector" in state else result
