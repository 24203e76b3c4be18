"""The SAM template, as SAM itself transforms it: the route, the runtime, least privilege."""

from __future__ import annotations

import copy
import functools
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from samtranslator.model import apigateway
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rocketchat-mongodb-AbCdEf"


# The clock SAM names a stage's deployment by, as it is before any test moves it.
_SAM_CLOCK = time.time


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def _transformed(parameters: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The resources SAM's transform makes of the template with these parameters (a copy the caller
    may change: the transform itself runs once per set of parameters in a session)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    text, key = (ROOT / "template.yaml").read_text(), tuple(sorted(parameters.items()))
    if apigateway.time.time is not _SAM_CLOCK:
        # A test that moves the clock SAM names a stage's deployment by gets a transform of its own.
        return _transform.__wrapped__(text, key)
    return copy.deepcopy(_transform(text, key))


@functools.cache
def _transform(text: str, parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    template = yaml_parse(text)
    # The translator wants packaged code locations; `sam build`/`deploy` supply them.
    template["Resources"]["RoomsFunction"]["Properties"]["CodeUri"] = "s3://bucket/function.zip"
    template["Resources"]["DependenciesLayer"]["Properties"]["ContentUri"] = "s3://bucket/layer.zip"
    result = transform(template, dict(parameters), _NoManagedPolicies())
    return dict(result["Resources"])


def test_every_method_on_the_route_reaches_the_function(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = _transformed({}, monkeypatch)
    paths = resources["RoomsApi"]["Properties"]["Body"]["paths"]
    integration = paths["/api/v1/voip/rooms"]["x-amazon-apigateway-any-method"][
        "x-amazon-apigateway-integration"
    ]
    assert integration["type"] == "aws_proxy"
    assert "${RoomsFunctionAliaslive}" in json.dumps(integration["uri"])
    permissions = [
        r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission" and "Condition" not in r
    ]
    assert permissions
    assert all("/api/v1/voip/rooms" in json.dumps(p["Properties"]["SourceArn"]) for p in permissions)


def test_function_runs_python_3_13_with_the_dependencies_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    function = _transformed({}, monkeypatch)["RoomsFunction"]["Properties"]
    assert function["Runtime"] == "python3.13"
    assert function["Handler"] == "voip_rooms.handler.lambda_handler"
    assert len(function["Layers"]) == 1


def test_the_function_takes_a_new_runtime_version_only_with_a_deployment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An integration answer is bytes, which the runtime's interface client posts unchanged
    # (tests/integration/test_lambda_runtime.py): a runtime change must come through a deployment.
    function = _transformed({}, monkeypatch)["RoomsFunction"]["Properties"]
    assert function["RuntimeManagementConfig"] == {"UpdateRuntimeOn": "FunctionUpdate"}


def test_logs_are_kept_for_a_bounded_time(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = _transformed({}, monkeypatch)
    log_group = resources["RoomsFunctionLogGroup"]["Properties"]
    assert log_group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert resources["RoomsFunction"]["Properties"]["LoggingConfig"]["LogGroup"] == {
        "Ref": "RoomsFunctionLogGroup"
    }


def test_rest_api_is_the_default_and_other_front_doors_are_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = _transformed({}, monkeypatch)
    optional = {
        "RoomsThrottledHttpApi": "WithHttpApi",
        "RoomsHttpApiPermission": "WithHttpApi",
        "RoomsFunctionUrl": "WithFunctionUrl",
        "RoomsFunctionUrlPermission": "WithFunctionUrl",
        "RoomsFunctionUrlInvokePermission": "WithFunctionUrl",
    }
    for name, condition in optional.items():
        assert resources[name]["Condition"] == condition
    assert "Condition" not in resources["RoomsApi"]


def test_function_url_grants_invoke_only_through_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = _transformed({"EnableFunctionUrl": "true"}, monkeypatch)
    url_grant = resources["RoomsFunctionUrlPermission"]["Properties"]
    invoke_grant = resources["RoomsFunctionUrlInvokePermission"]["Properties"]
    assert (url_grant["Action"], url_grant["FunctionUrlAuthType"]) == ("lambda:InvokeFunctionUrl", "NONE")
    assert (invoke_grant["Action"], invoke_grant["InvokedViaFunctionUrl"]) == ("lambda:InvokeFunction", True)


def test_http_api_may_invoke_the_function_from_its_own_routes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = _transformed({"EnableHttpApi": "true"}, monkeypatch)
    integration = resources["RoomsHttpApiIntegration"]["Properties"]
    assert (integration["IntegrationUri"], integration["PayloadFormatVersion"]) == (
        {"Ref": "RoomsFunctionAliaslive"},
        "2.0",
    )
    source = json.dumps(resources["RoomsHttpApiPermission"]["Properties"]["SourceArn"])
    assert "${RoomsThrottledHttpApi}/*" in source


def test_reserved_concurrency_is_a_parameter_set_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    assert template["Parameters"]["ReservedConcurrency"]["Default"] == "50"
    capped = _transformed({"ReservedConcurrency": "300"}, monkeypatch)["RoomsFunction"]["Properties"]
    assert capped["ReservedConcurrentExecutions"] == {
        "Fn::If": ["HasReservedConcurrency", {"Ref": "ReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
    }


def test_the_function_timeout_leaves_room_for_the_database_budget_under_api_gateways() -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    timeout = template["Globals"]["Function"]["Timeout"]
    assert template["Parameters"]["MongoDbTimeoutMs"]["MaxValue"] / 1000 < timeout < 29


def test_an_ssm_parameter_is_named_to_the_function_with_its_leading_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = _transformed({"MongoDbUriParameter": "rocketchat/mongodb-uri"}, monkeypatch)
    environment = resources["RoomsFunction"]["Properties"]["Environment"]["Variables"]
    assert environment["MONGODB_URI_PARAMETER"] == {
        "Fn::If": ["HasUriParameter", {"Fn::Sub": "/${MongoDbUriParameter}"}, ""]
    }


def test_alarms_watch_errors_latency_and_throttles_and_notify_the_topic_when_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = _transformed({"AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:oncall"}, monkeypatch)
    alarms = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    # The rollback alarms notify nobody: CodeDeploy acts on them (test_deployment_template.py).
    rollback = {name: alarms.pop(name) for name in list(alarms) if name.startswith("Rollback")}
    assert rollback
    assert not [a for a in rollback.values() if "AlarmActions" in a or "OKActions" in a]
    watched = {
        (json.dumps(stat["Namespace"]), stat["MetricName"], json.dumps(stat.get("Dimensions")))
        for alarm in alarms.values()
        for stat in (
            [alarm]
            if "MetricName" in alarm
            else [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
        )
    }
    request_lines = json.dumps({"Ref": "MetricsNamespace"})
    service = {"Name": "service", "Value": "voip-rooms"}
    assert {(namespace, metric) for namespace, metric, _ in watched} == {
        ('"AWS/ApiGateway"', "5XXError"),
        ('"AWS/ApiGateway"', "4XXError"),
        ('"AWS/ApiGateway"', "Latency"),
        ('"AWS/Lambda"', "Throttles"),
        ('"AWS/Lambda"', "Errors"),
        (request_lines, "Requests"),
        (request_lines, "DatabaseTime"),
        (request_lines, "FunctionErrors"),
    }
    # Server errors across every front door, as a share of all requests; the database time's p99.
    assert (
        request_lines,
        "Requests",
        json.dumps([service, {"Name": "StatusClass", "Value": "5xx"}]),
    ) in watched
    assert (request_lines, "Requests", json.dumps([service])) in watched
    assert alarms["DatabaseTimeP99Alarm"]["ExtendedStatistic"] == "p99"
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == {
            "Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]
        }
    assert alarms["LatencyP99Alarm"]["ExtendedStatistic"] == "p99"


EXPECTED_FUNCTION_ERRORS = ("InvalidParameters", "Unauthorized", "Forbidden", "ServiceUnavailable")


def test_the_crash_alarm_subtracts_only_the_expected_function_errors_of_integration_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alarm = _transformed({}, monkeypatch)["FunctionErrorsAlarm"]["Properties"]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    errors = metrics.pop("errors")["MetricStat"]["Metric"]
    crashes = metrics.pop("crashes")
    assert (errors["Namespace"], errors["MetricName"]) == ("AWS/Lambda", "Errors")
    subtracted = {}
    for metric_id, query in metrics.items():
        metric = query["MetricStat"]["Metric"]
        assert (metric["Namespace"], metric["MetricName"]) == ({"Ref": "MetricsNamespace"}, "FunctionErrors")
        dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
        assert dimensions.pop("service") == "voip-rooms"
        subtracted[dimensions.pop("ErrorType")] = metric_id
        assert dimensions == {}
    assert sorted(subtracted) == sorted(EXPECTED_FUNCTION_ERRORS), "never InternalError: a bug must count"
    expected_sum = " + ".join(f"FILL({subtracted[name]}, 0)" for name in EXPECTED_FUNCTION_ERRORS)
    assert " ".join(crashes["Expression"].split()) == f"FILL(errors, 0) - ({expected_sum})"
    assert [m["Id"] for m in alarm["Metrics"] if m.get("ReturnData", True)] == ["crashes"]
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_the_crash_alarms_two_pipelines_are_summed_over_periods_longer_than_their_skew(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Lambda's Errors and the request lines' FunctionErrors arrive through different pipelines: one
    # invocation's two counts in different periods would read as a crash, then hide one.
    alarm = _transformed({}, monkeypatch)["FunctionErrorsAlarm"]["Properties"]
    periods = {m["Id"]: m["MetricStat"]["Period"] for m in alarm["Metrics"] if "MetricStat" in m}
    assert set(periods.values()) == {180}, periods
    assert alarm["EvaluationPeriods"] == 1


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("", True),
        ("k6Fx2b7nLrWqzPv9T", True),
        ("demo-integration", True),
        ("rocket.cat", True),
        ("a b", False),
        ("x" * 65, False),
        ("id;rm", False),
    ],
)
def test_the_integration_user_parameter_takes_an_empty_value_or_a_rocketchat_id(
    value: str, accepted: bool
) -> None:
    parameter = yaml_parse((ROOT / "template.yaml").read_text())["Parameters"]["IntegrationUserId"]
    assert parameter["Default"] == ""
    assert bool(re.fullmatch(parameter["AllowedPattern"], value)) is accepted


def test_the_integration_user_reaches_the_function_as_integration_user_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    function = _transformed({}, monkeypatch)["RoomsFunction"]["Properties"]
    assert function["Environment"]["Variables"]["INTEGRATION_USER_ID"] == {"Ref": "IntegrationUserId"}


def test_the_dashboard_body_is_json_once_its_placeholders_are_filled(monkeypatch: pytest.MonkeyPatch) -> None:
    body, _ = _transformed({}, monkeypatch)["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    filled = re.sub(r"\$\{[^}]+\}", "x", body)
    widgets = json.loads(filled)["widgets"]
    assert {widget["properties"]["title"] for widget in widgets} == {
        "Requests and errors",
        "Latency (ms)",
        "Function",
        "Function duration (ms)",
        "Answers by status class (every front door)",
        "Handler and database time (ms)",
        "Rooms returned per answer",
    }


def test_the_function_traces_and_its_observability_settings_are_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    function = _transformed({}, monkeypatch)["RoomsFunction"]["Properties"]
    assert function["TracingConfig"] == {"Mode": {"Ref": "TracingMode"}}
    template = yaml_parse((ROOT / "template.yaml").read_text())
    parameters = template["Parameters"]
    assert parameters["TracingMode"]["Default"] == "Active"
    assert parameters["MetricsNamespace"]["Default"] == "VoipRooms"
    assert parameters["TraceDatabaseCommands"]["Default"] == "false"
    assert {
        name: value
        for name, value in function["Environment"]["Variables"].items()
        if name in {"POWERTOOLS_METRICS_NAMESPACE", "TRACE_DATABASE_COMMANDS"}
    } == {
        "POWERTOOLS_METRICS_NAMESPACE": {"Ref": "MetricsNamespace"},
        "TRACE_DATABASE_COMMANDS": {"Ref": "TraceDatabaseCommands"},
    }
