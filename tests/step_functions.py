"""Just enough of Step Functions (Amazon States Language, JSONPath) to run the README's state machine
against lambda_handler: Task (arn:aws:states:::lambda:invoke, and arn:aws:states:::states:startExecution,
which records the execution it would start) with Parameters, ResultSelector, ResultPath (null too),
Retry and Catch; Pass; Choice on IsNull and NumericGreaterThanEquals; Succeed; Fail; the context
object ($$.Execution.Id, $$.StateMachine.Id); the intrinsics States.JsonMerge and States.MathAdd.

Anything else in a definition is refused rather than guessed at, so that a test never passes on a
state machine this reads differently from Step Functions. Retries do not wait: their intervals are
recorded instead (capped by MaxDelaySeconds; JitterStrategy would only shorten them). The execution
history's events are counted as Step Functions writes them, to check a walk against its limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
START_EXECUTION = "arn:aws:states:::states:startExecution"
_JSON_MERGE = re.compile(r"States\.JsonMerge\((\$[^,]*),\s*(\$[^,]*),\s*false\)")
_MATH_ADD = re.compile(r"States\.MathAdd\((\$[^,]*),\s*(-?\d+)\)")
_RETRIER_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "BackoffRate",
    "MaxAttempts",
    "MaxDelaySeconds",
    "JitterStrategy",
}
# The history events each state writes: entered and exited, and for a task scheduled, started and
# succeeded or failed; each retry adds scheduled, started and failed again.
_TASK_EVENTS, _STATE_EVENTS, _RETRY_EVENTS = 5, 2, 3
_STATE_FIELDS = {
    "Task": {
        "Type",
        "Comment",
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
    # Each state's input, in order (what the state's data holds at each step).
    inputs: list[tuple[str, Any]] = field(default_factory=list)
    # The inputs of the executions it started (states:startExecution).
    started: list[Any] = field(default_factory=list)
    # Its history's events: ExecutionStarted and its end, and each state's own.
    history_events: int = 2


def path_value(data: Any, path: str, context: Any = None) -> Any:
    """A JSONPath of the form $ or $.a.b, or $$.a.b in the context object."""
    if path.startswith("$$."):
        data, path = context, path[1:]
    if path == "$":
        return data
    if not path.startswith("$."):
        raise NotImplementedError(path)
    for name in path[2:].split("."):
        data = data[name]
    return data


_DISCARD = object()


def _with_result(data: Any, path: Any, result: Any) -> Any:
    if path is _DISCARD:  # "ResultPath": null: the state's input goes on, its result is dropped
        return data
    if path == "$":
        return result
    names = path[2:].split(".")
    updated = json.loads(json.dumps(data))
    holder = updated
    for name in names[:-1]:
        holder = holder.setdefault(name, {})
    holder[names[-1]] = result
    return updated


def _result_path(state: dict[str, Any]) -> Any:
    if "ResultPath" not in state:
        return "$"
    return _DISCARD if state["ResultPath"] is None else state["ResultPath"]


def resolve(template: Any, data: Any, context: Any = None) -> Any:
    """Parameters or ResultSelector filled from ``data``: keys ending in .$ take a path (of the
    context object too), JsonMerge or MathAdd."""
    if not isinstance(template, dict):
        return template
    resolved: dict[str, Any] = {}
    for key, value in template.items():
        if key.endswith(".$"):
            merge, add = _JSON_MERGE.fullmatch(value), _MATH_ADD.fullmatch(value)
            if merge:
                resolved[key[:-2]] = path_value(data, merge[1]) | path_value(data, merge[2])
            elif add:
                resolved[key[:-2]] = path_value(data, add[1]) + int(add[2])
            else:
                resolved[key[:-2]] = path_value(data, value, context)
        else:
            resolved[key] = resolve(value, data, context)
    return resolved


def _matches(names: list[str], error: str) -> bool:
    return (
        error in names
        or "States.ALL" in names
        or ("States.TaskFailed" in names and error != "States.Timeout")
    )


def run(
    definition: dict[str, Any],
    execution_input: Any,
    invoke: Callable[[Any], Any],
    max_steps: int = 1_000,
    execution_id: str = "arn:aws:states:us-east-1:123456789012:execution:walk:1",
) -> Execution:
    """Run a state machine whose lambda:invoke tasks call ``invoke(payload)``: it returns the function's
    result, or raises TaskFailed."""
    execution = Execution()
    context = {
        "Execution": {"Id": execution_id, "Input": execution_input},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:walk"},
    }
    data, name = execution_input, definition["StartAt"]
    for _ in range(max_steps):
        state = definition["States"][name]
        unknown = set(state) - _STATE_FIELDS[state["Type"]]
        unknown |= {
            f"Retry.{key}" for retrier in state.get("Retry", []) for key in set(retrier) - _RETRIER_FIELDS
        }
        if unknown:
            raise NotImplementedError(f"{name}: {sorted(unknown)}")
        execution.states.append(name)
        execution.inputs.append((name, data))
        kind = state["Type"]
        execution.history_events += _TASK_EVENTS if kind == "Task" else _STATE_EVENTS
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
                data, _result_path(state), resolve(state.get("Parameters", data), data, context)
            )
        else:
            try:
                result = _task(state, data, invoke, execution, context)
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
            data = _with_result(data, _result_path(state), result)
        if state.get("End"):
            execution.status, execution.output = "SUCCEEDED", data
            return execution
        name = state["Next"]
    raise RuntimeError("the state machine did not end")


def _choose(state: dict[str, Any], data: Any) -> str:
    for choice in state["Choices"]:
        value = path_value(data, choice["Variable"])
        if set(choice) == {"Variable", "IsNull", "Next"}:
            chosen = (value is None) == choice["IsNull"]
        elif set(choice) == {"Variable", "NumericGreaterThanEquals", "Next"}:
            chosen = isinstance(value, int | float) and value >= choice["NumericGreaterThanEquals"]
        else:
            raise NotImplementedError(choice)
        if chosen:
            return str(choice["Next"])
    return str(state["Default"])


def _task(
    state: dict[str, Any], data: Any, invoke: Callable[[Any], Any], execution: Execution, context: Any
) -> Any:
    parameters = resolve(state["Parameters"], data, context)
    if state["Resource"] == START_EXECUTION:
        if set(parameters) != {"StateMachineArn", "Input"}:
            raise NotImplementedError(sorted(parameters))
        # Step Functions passes the Input as JSON: only JSON survives.
        execution.started.append(json.loads(json.dumps(parameters["Input"])))
        started = f"{parameters['StateMachineArn']}:{len(execution.started)}"
        return {"ExecutionArn": started.replace(":stateMachine:", ":execution:"), "StartDate": "2026-12-01"}
    if state["Resource"] != LAMBDA_INVOKE:
        raise NotImplementedError(state["Resource"])
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
            execution.retry_intervals.append(min(interval, retrier.get("MaxDelaySeconds", interval)))
            execution.history_events += _RETRY_EVENTS
    result = {"Payload": payload, "StatusCode": 200}
    return resolve(state["ResultSelector"], result) if "ResultSelector" in state else result
