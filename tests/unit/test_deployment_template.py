"""Deployment options of the template (VPC, Rocket.Chat's ALB, CORS, alias and rollouts, gateway answers),
as SAM transforms it and as CloudFormation would then create it for given parameters."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from hypothesis import given, settings
from hypothesis import strategies as st
from samtranslator.model import apigateway
from samtranslator.yaml_helper import yaml_parse

from tests.unit.test_template import SECRET_ARN, _transformed

ROOT = Path(__file__).resolve().parents[2]
VPC = {"SubnetIds": "subnet-0a1b2c3d,subnet-4e5f6a7b", "SecurityGroupIds": "sg-0123456789abcdef0"}
ALB = {
    "AlbListenerArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
    "listener/app/rc/50dc6c495c0c9188/f2f7dc8efc522ab2",
    "AlbRulePriority": "7",
}
CORS = {"CorsAllowedOrigins": "https://dashboard.example.com,https://ops.example.com"}
# Every stack needs a connection string's source (a rule refuses one without).
DATABASE = {"MongoDbSecretArn": SECRET_ARN}
COMBINATIONS = [(vpc, alb, cors) for vpc, alb, cors in itertools.product([False, True], repeat=3)]
NO_VALUE = object()


class StackRefused(Exception):
    """A rule of the template refused the parameters, as CloudFormation would before creating anything."""


def _parameters(vpc: bool, alb: bool, cors: bool) -> dict[str, str]:
    return {**(VPC if vpc else {}), **(ALB if alb else {}), **(CORS if cors else {})}


def _deployed(
    parameters: dict[str, str], monkeypatch: pytest.MonkeyPatch, base: dict[str, str] | None = None
) -> dict[str, Any]:
    """The resources CloudFormation would create: parameters checked against their patterns, rules
    applied, conditions decided, Fn::If and AWS::NoValue resolved. ``base`` (by default a connection
    secret) comes before ``parameters``."""
    template = yaml_parse((ROOT / "template.yaml").read_text())
    parameters = (DATABASE if base is None else base) | parameters
    values: dict[str, Any] = {
        name: spec.get("Default", "") for name, spec in template["Parameters"].items()
    } | parameters
    for name, spec in template["Parameters"].items():
        if spec["Type"] == "CommaDelimitedList":
            values[name] = str(values[name]).split(",")
        given = values[name] if isinstance(values[name], list) else [str(values[name])]
        pattern = spec.get("AllowedPattern")
        if pattern is not None and not all(re.fullmatch(pattern, str(value)) for value in given):
            raise StackRefused(f"{name} {spec['ConstraintDescription']}")
    conditions: dict[str, bool] = {}

    def evaluate(node: Any) -> Any:
        if isinstance(node, dict):
            ((key, arg),) = node.items()
            assert key in operators, f"condition not understood: {node}"
            return operators[key](arg)
        return node

    def decide(name: str) -> bool:
        if name not in conditions:
            conditions[name] = bool(evaluate(template["Conditions"][name]))
        return conditions[name]

    operators: dict[str, Any] = {
        "Ref": lambda name: values.get(name, {"Ref": name}),
        "Condition": decide,
        "Fn::Equals": lambda args: str(evaluate(args[0])) == str(evaluate(args[1])),
        "Fn::Not": lambda args: not evaluate(args[0]),
        "Fn::And": lambda args: all(evaluate(a) for a in args),
        "Fn::Or": lambda args: any(evaluate(a) for a in args),
        "Fn::Join": lambda args: args[0].join(evaluate(args[1])),
        "Fn::EachMemberEquals": lambda args: all(member == args[1] for member in evaluate(args[0])),
    }
    for name, rule in template.get("Rules", {}).items():
        if evaluate(rule.get("RuleCondition", True)):
            for assertion in rule["Assertions"]:
                if not evaluate(assertion["Assert"]):
                    raise StackRefused(f"{name}: {assertion['AssertDescription']}")

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"Fn::If"}:
                name, when_true, when_false = node["Fn::If"]
                return resolve(when_true if decide(name) else when_false)
            if node == {"Ref": "AWS::NoValue"}:
                return NO_VALUE
            if set(node) == {"Ref"} and node["Ref"] in template["Parameters"]:
                return values[node["Ref"]]
            resolved = {key: resolve(value) for key, value in node.items()}
            return {key: value for key, value in resolved.items() if value is not NO_VALUE}
        if isinstance(node, list):
            return [item for item in (resolve(i) for i in node) if item is not NO_VALUE]
        return node

    resources = _transformed(parameters, monkeypatch)
    return {
        name: resolve(resource)
        for name, resource in resources.items()
        if "Condition" not in resource or decide(resource["Condition"])
    }


@pytest.mark.parametrize(("vpc", "alb", "cors"), COMBINATIONS)
def test_each_combination_creates_exactly_its_resources(
    vpc: bool, alb: bool, cors: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = _deployed(_parameters(vpc, alb, cors), monkeypatch)
    function = resources["RoomsFunction"]["Properties"]
    if vpc:
        assert function["VpcConfig"] == {
            "SubnetIds": VPC["SubnetIds"].split(","),
            "SecurityGroupIds": VPC["SecurityGroupIds"].split(","),
        }
    else:
        assert "VpcConfig" not in function
    alb_resources = {"RoomsTargetGroup", "RoomsAlbInvokePermission", "RoomsListenerRule"}
    assert alb_resources <= set(resources) if alb else not alb_resources & set(resources)
    assert function["Environment"]["Variables"]["CORS_ALLOWED_ORIGINS"] == (
        CORS["CorsAllowedOrigins"] if cors else ""
    )
    throttled = resources["RoomsApi"]["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"][
        "THROTTLED"
    ]
    origin_header = throttled["responseParameters"].get("gatewayresponse.header.Access-Control-Allow-Origin")
    assert origin_header == ("method.request.header.origin" if cors else None)
    if alb:
        conditions = {c["Field"]: c for c in resources["RoomsListenerRule"]["Properties"]["Conditions"]}
        methods = conditions["http-request-method"]["HttpRequestMethodConfig"]["Values"]
        assert methods == (["GET", "OPTIONS"] if cors else ["GET"])


def test_the_listener_rule_sends_both_spellings_of_the_path_to_a_multi_value_target_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = _deployed({**ALB, "EnableCallsPage": "false"}, monkeypatch)
    rule = resources["RoomsListenerRule"]["Properties"]
    assert rule["ListenerArn"] == ALB["AlbListenerArn"]
    assert rule["Priority"] == ALB["AlbRulePriority"]
    paths = next(c for c in rule["Conditions"] if c["Field"] == "path-pattern")
    assert paths["PathPatternConfig"]["Values"] == ["/api/v1/voip/rooms", "/api//v1/voip/rooms"]
    assert rule["Actions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": "RoomsTargetGroup"}}]
    group = resources["RoomsTargetGroup"]["Properties"]
    assert group["TargetType"] == "lambda"
    assert {"Key": "lambda.multi_value_headers.enabled", "Value": "true"} in group["TargetGroupAttributes"]


def test_the_load_balancer_may_invoke_the_alias_only_for_that_target_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resources = _deployed(ALB, monkeypatch)
    permission = resources["RoomsAlbInvokePermission"]["Properties"]
    assert permission["Principal"] == "elasticloadbalancing.amazonaws.com"
    assert permission["FunctionName"] == {"Ref": "RoomsFunctionAliaslive"}
    source_pattern, source_values = permission["SourceArn"]["Fn::Sub"]
    name_pattern, name_values = resources["RoomsTargetGroup"]["Properties"]["Name"]["Fn::Sub"]
    assert source_pattern.endswith(f":targetgroup/{name_pattern}/*")
    assert source_values == name_values
    # The first group of the stack's GUID (8 hex digits) keeps the name unique and within 32 characters.
    assert len(name_pattern.replace("${StackGuid}", "0" * 8)) <= 32
    assert resources["RoomsTargetGroup"]["DependsOn"] == "RoomsAlbInvokePermission"


def test_every_front_door_invokes_the_live_alias_never_latest(monkeypatch: pytest.MonkeyPatch) -> None:
    resources = _deployed({**ALB, "EnableHttpApi": "true", "EnableFunctionUrl": "true"}, monkeypatch)
    alias = {"Ref": "RoomsFunctionAliaslive"}
    body = resources["RoomsApi"]["Properties"]["Body"]
    integration = body["paths"]["/api/v1/voip/rooms"]["x-amazon-apigateway-any-method"][
        "x-amazon-apigateway-integration"
    ]
    assert "functions/${RoomsFunctionAliaslive}/invocations" in integration["uri"]["Fn::Sub"]
    assert resources["RoomsHttpApiIntegration"]["Properties"]["IntegrationUri"] == alias
    assert resources["RoomsFunctionUrl"]["Properties"]["Qualifier"] == "live"
    assert resources["RoomsFunctionUrl"]["DependsOn"] == "RoomsFunctionAliaslive"
    assert resources["RoomsTargetGroup"]["Properties"]["Targets"] == [{"Id": alias}]
    permissions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert len(permissions) == 6  # the REST API's for the endpoint and for the Calls page among them
    assert all(p["FunctionName"] == alias for p in permissions)
    outputs = yaml_parse((ROOT / "template.yaml").read_text())["Outputs"]
    assert outputs["RoomsFunctionArn"]["Value"] == {"Ref": "RoomsFunction.Alias"}


@pytest.mark.parametrize("deployment", ["AllAtOnce", "Canary10Percent5Minutes"])
def test_a_new_version_rolls_out_as_configured_and_rolls_back_on_the_rollback_alarms(
    deployment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = _deployed({"DeploymentType": deployment}, monkeypatch)
    group = resources["RoomsFunctionDeploymentGroup"]["Properties"]
    assert group["DeploymentConfigName"]["Fn::Sub"][1] == {"ConfigName": deployment}
    assert group["AlarmConfiguration"]["Alarms"] == [
        {"Name": {"Ref": "RollbackServerErrorsAlarm"}},
        {"Name": {"Ref": "RollbackApiErrorsAlarm"}},
        {"Name": {"Ref": "FunctionErrorsAlarm"}},
    ]
    assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
    assert resources["RoomsFunctionAliaslive"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]


def _periods(alarm: dict[str, Any]) -> set[int]:
    return {m["MetricStat"]["Period"] for m in alarm.get("Metrics", []) if "MetricStat" in m} or {
        alarm["Period"]
    }


@pytest.mark.parametrize("parameters", [{}, ALB], ids=["rest-api", "behind-alb"])
def test_the_rollback_alarms_fire_within_a_five_minute_canary(
    parameters: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A canary of 5 minutes ends before an alarm that needs 5 breaching minutes can fire, metrics arriving
    # late: each alarm CodeDeploy watches fires on one breaching datapoint, of one minute, or of three for
    # the crash alarm, whose two pipelines a minute's edge must not split (its first period still ends
    # within the canary).
    resources = _deployed({**parameters, "DeploymentType": "Canary10Percent5Minutes"}, monkeypatch)
    group = resources["RoomsFunctionDeploymentGroup"]["Properties"]
    for name in (alarm["Name"]["Ref"] for alarm in group["AlarmConfiguration"]["Alarms"]):
        alarm = resources[name]["Properties"]
        period = 180 if name == "FunctionErrorsAlarm" else 60
        assert (_periods(alarm), alarm["EvaluationPeriods"], alarm.get("DatapointsToAlarm", 1)) == (
            {period},
            1,
            1,
        )
        assert alarm["TreatMissingData"] == "notBreaching"


def test_the_function_s_own_5xx_answers_reach_a_rollback_alarm_through_its_request_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Through the load balancer, the HTTP API or the function URL, no API Gateway metric counts them.
    resources = _deployed(ALB, monkeypatch)
    metrics = {m["Id"]: m for m in resources["RollbackServerErrorsAlarm"]["Properties"]["Metrics"]}
    service = {"Name": "service", "Value": "voip-rooms"}
    for name, dimensions in (
        ("errors", [service, {"Name": "StatusClass", "Value": "5xx"}]),
        ("requests", [service]),
    ):
        metric = metrics[name]["MetricStat"]["Metric"]
        # The request lines' namespace (the MetricsNamespace parameter, default VoipRooms).
        assert (metric["Namespace"], metric["MetricName"]) == ("VoipRooms", "Requests")
        assert metric["Dimensions"] == dimensions
    assert metrics["rate"]["Expression"] == "FILL(errors, 0) / requests"
    assert [m["Id"] for m in metrics.values() if m.get("ReturnData", True)] == ["rate"]
    assert not [r for r in resources.values() if r["Type"] == "AWS::Logs::MetricFilter"]


def test_provisioned_concurrency_is_kept_on_the_alias_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warm = _deployed({"ProvisionedConcurrency": "3"}, monkeypatch)["RoomsFunctionAliaslive"]["Properties"]
    cold = _deployed({}, monkeypatch)["RoomsFunctionAliaslive"]["Properties"]
    assert warm["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": "3"}
    assert "ProvisionedConcurrencyConfig" not in cold


@pytest.mark.parametrize(
    ("source", "endpoint"),
    [
        (
            {"MongoDbSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:rc-AbCdEf"},
            "secretsmanager",
        ),
        ({"MongoDbUriParameter": "rocketchat/mongodb-uri"}, "ssm"),
    ],
)
def test_interface_endpoints_are_created_only_for_the_connection_source_in_use(
    source: dict[str, str], endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    vpc_id = {"InterfaceEndpointsVpcId": "vpc-0a1b2c3d4e5f60718"}
    with_endpoints = _deployed({**VPC, **source, **vpc_id}, monkeypatch, base={})
    endpoints = [r["Properties"] for r in with_endpoints.values() if r["Type"] == "AWS::EC2::VPCEndpoint"]
    assert [e["ServiceName"]["Fn::Sub"] for e in endpoints] == [f"com.amazonaws.${{AWS::Region}}.{endpoint}"]
    assert endpoints[0]["PrivateDnsEnabled"] is True
    assert endpoints[0]["SubnetIds"] == VPC["SubnetIds"].split(",")
    without_endpoints = _deployed({**VPC, **source}, monkeypatch, base={})
    assert not [r for r in without_endpoints.values() if r["Type"] == "AWS::EC2::VPCEndpoint"]


@pytest.mark.parametrize(
    ("response_type", "status", "error", "retry_after"),
    [
        ("THROTTLED", "429", "Too many requests", "'1'"),
        ("INTEGRATION_FAILURE", "503", "Service temporarily unavailable", "'1'"),
        ("INTEGRATION_TIMEOUT", "503", "Service temporarily unavailable", None),
        ("MISSING_AUTHENTICATION_TOKEN", "404", "Not found", None),
    ],
)
def test_api_gateways_own_answers_are_json_in_the_contracts_shape(
    response_type: str, status: str, error: str, retry_after: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    responses = _deployed(CORS, monkeypatch)["RoomsApi"]["Properties"]["Body"][
        "x-amazon-apigateway-gateway-responses"
    ]
    answer = responses[response_type]
    assert answer["statusCode"] == status
    assert json.loads(answer["responseTemplates"]["application/json"]) == {"success": False, "error": error}
    headers = answer["responseParameters"]
    assert headers.get("gatewayresponse.header.Retry-After") == retry_after
    assert headers["gatewayresponse.header.Vary"] == "'Origin'"


def test_gateway_answers_carry_no_cors_headers_when_cors_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    responses = _deployed({}, monkeypatch)["RoomsApi"]["Properties"]["Body"][
        "x-amazon-apigateway-gateway-responses"
    ]
    for answer in responses.values():
        assert not [h for h in answer.get("responseParameters", {}) if "Access-Control" in h or "Vary" in h]


def _stage_deployment(parameters: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, Any]:
    """The deployment the stage serves after a stack update, and that deployment's gateway answers."""
    resources = _deployed(parameters, monkeypatch)
    (stage,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    deployment = stage["DeploymentId"]["Ref"]
    assert resources[deployment]["Properties"]["RestApiId"] == {"Ref": "RoomsApi"}
    return deployment, resources["RoomsApi"]["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]


@pytest.mark.parametrize(
    ("before", "after"),
    [({}, {"CorsAllowedOrigins": "https://a.example.com"}), (CORS, {})],
    ids=["on", "off"],
)
def test_switching_cors_on_an_existing_stack_deploys_the_new_gateway_answers(
    before: dict[str, str], after: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two updates of one stack, ten minutes apart: the second must give the stage a new deployment, since
    # only a deployment makes API Gateway serve the changed definition.
    clock = [1_800_000_000.0]
    monkeypatch.setattr(apigateway.time, "time", lambda: clock[0])
    first, first_answers = _stage_deployment(before, monkeypatch)
    clock[0] += 600
    second, second_answers = _stage_deployment(after, monkeypatch)
    assert first_answers != second_answers
    assert first != second


@pytest.mark.parametrize(
    ("parameters", "rule"),
    [
        ({"SubnetIds": VPC["SubnetIds"]}, "SubnetsNeedSecurityGroups"),
        ({"InterfaceEndpointsVpcId": "vpc-0a1b2c3d4e5f60718"}, "EndpointsNeedSubnets"),
    ],
)
def test_half_a_vpc_placement_is_refused_before_anything_is_created(
    parameters: dict[str, str], rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(StackRefused, match=rule):
        _deployed(parameters, monkeypatch)


# --- The REST API's access log ---------------------------------------------------------------------------

# $context values as API Gateway writes them: plain values, "-" when absent, and its own error messages.
SAMPLE_CONTEXTS: list[dict[str, str]] = [
    {
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "identity.sourceIp": "203.0.113.7",
        "httpMethod": "GET",
        "path": "/prod/api/v1/voip/rooms",
        "status": "200",
        "responseLatency": "48",
        "integrationLatency": "41",
        "error.responseType": "-",
        "error.message": "-",
    },
    {
        "requestId": "d1e2f3a4-0000-4000-8000-000000000001",
        "identity.sourceIp": "198.51.100.23",
        "httpMethod": "GET",
        "path": "/prod/api/v1/voip/nothing",
        "status": "404",
        "responseLatency": "3",
        "integrationLatency": "-",
        "error.responseType": "MISSING_AUTHENTICATION_TOKEN",
        "error.message": "Missing Authentication Token",
    },
    {
        "requestId": "d1e2f3a4-0000-4000-8000-000000000002",
        "identity.sourceIp": "2001:db8::1",
        "httpMethod": "GET",
        "path": "/prod/api/v1/voip/rooms",
        "status": "429",
        "responseLatency": "1",
        "integrationLatency": "-",
        "error.responseType": "THROTTLED",
        "error.message": "Too Many Requests",
    },
    {
        "requestId": "d1e2f3a4-0000-4000-8000-000000000003",
        "identity.sourceIp": "192.0.2.1",
        "httpMethod": "GET",
        "path": "/prod/api/v1/voip/rooms",
        "status": "503",
        "responseLatency": "10012",
        "integrationLatency": "10004",
        "error.responseType": "INTEGRATION_FAILURE",
        "error.message": "Internal server error",
    },
]


ACCESS_LOGS = {
    "rest api": ("RoomsApi", "AccessLogSetting"),
    "http api": ("RoomsHttpApiStage", "AccessLogSettings"),
}


def _access_log_format(api: str) -> str:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    resource, setting = ACCESS_LOGS[api]
    return str(template["Resources"][resource]["Properties"][setting]["Format"])


@pytest.mark.parametrize("api", sorted(ACCESS_LOGS))
@pytest.mark.parametrize("context", SAMPLE_CONTEXTS, ids=lambda c: c["status"])
def test_every_access_log_line_is_one_json_object(context: dict[str, str], api: str) -> None:
    log_format = _access_log_format(api)
    assert "\n" not in log_format, "API Gateway takes a single-line format"
    assert "messageString" not in log_format, "it comes quoted: inside quotes it breaks every error line"
    line = re.sub(r"\$context\.([A-Za-z.]+)", lambda m: context[m.group(1)], log_format)
    record = json.loads(line)
    assert record["status"] == context["status"]
    assert record["error"] == context["error.message"]
    assert record.get("responseType", context["error.responseType"]) == context["error.responseType"]


# --- cfn-lint (what `sam validate --lint` runs) on every combination ----------------------------------------


# cfn-lint follows every condition's both branches itself: all off and all on cover the combinations.
@pytest.mark.parametrize(("vpc", "alb", "cors"), [(False, False, False), (True, True, True)])
def test_the_template_lints_clean_without_and_with_the_options(vpc: bool, alb: bool, cors: bool) -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    for name, value in _parameters(vpc, alb, cors).items():
        template["Parameters"][name]["Default"] = value
    matches = lint(json.dumps(template), regions=["us-east-1"])
    assert [str(m) for m in matches] == []


@pytest.mark.parametrize("enabled", [False, True])
def test_the_swagger_ui_has_its_rest_route_and_invoke_permission_only_when_enabled(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = _deployed({"EnableSwaggerUi": "true"} if enabled else {}, monkeypatch)
    paths = resources["RoomsApi"]["Properties"]["Body"]["paths"]
    variables = resources["RoomsFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["ENABLE_SWAGGER_UI"] == ("true" if enabled else "false")
    if not enabled:
        assert "/api/v1/voip/rooms/docs" not in paths
        assert "RoomsApiDocsPermission" not in resources
        return
    # GET only (public metadata), to the live alias like the endpoint itself.
    (method,) = paths["/api/v1/voip/rooms/docs"]
    integration = paths["/api/v1/voip/rooms/docs"][method]["x-amazon-apigateway-integration"]
    assert method == "get"
    assert integration["type"] == "aws_proxy"
    assert "functions/${RoomsFunctionAliaslive}/invocations" in integration["uri"]["Fn::Sub"]
    permission = resources["RoomsApiDocsPermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "RoomsFunctionAliaslive"}
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Sub"].endswith("${RoomsApi}/*/GET/api/v1/voip/rooms/docs")


# --- Safe by default: a database source, bounded load, least privilege, validated parameters ---------

PARAMETER_SPECS: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())["Parameters"]
SSM_SOURCE = {"MongoDbUriParameter": "rocketchat/mongodb-uri"}
URI_SOURCE = {"MongoDbUri": "mongodb://reader:PASSWORD@db.example:27017/rocketchat"}
KMS_KEY = {"MongoDbKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}


def test_a_stack_without_a_connection_string_is_refused_before_anything_is_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refusal = r"^DatabaseSourceRequired: .*MongoDbSecretArn.*MongoDbUriParameter.*MongoDbUri"
    with pytest.raises(StackRefused, match=refusal):
        _deployed({}, monkeypatch, base={})
    for source in (DATABASE, SSM_SOURCE, URI_SOURCE):
        assert "RoomsFunction" in _deployed(source, monkeypatch, base={})


@pytest.mark.parametrize(
    "door",
    [{"EnableFunctionUrl": "true"}, ALB, {"EnableFunctionUrl": "true", **ALB}],
    ids=["url", "alb", "both"],
)
def test_a_door_without_throttling_of_its_own_needs_reserved_concurrency(
    door: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(StackRefused, match=r"^UnthrottledDoorsNeedReservedConcurrency: "):
        _deployed({**door, "ReservedConcurrency": "0"}, monkeypatch)
    resources = _deployed(door, monkeypatch)
    assert resources["RoomsFunction"]["Properties"]["ReservedConcurrentExecutions"] == "50"


@pytest.mark.parametrize("value", ["00", "-1", "1.5", " 5", "1e3"])
def test_concurrency_takes_whole_numbers_written_plainly(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # "00" would pass the rules' string comparison with 0, then reserve nothing: a function that never runs.
    for name in ("ReservedConcurrency", "ProvisionedConcurrency"):
        with pytest.raises(StackRefused, match=f"^{name} must be a whole number"):
            _deployed({name: value}, monkeypatch)


@pytest.mark.parametrize(
    "sources",
    [
        {**DATABASE, **SSM_SOURCE},
        {**DATABASE, **URI_SOURCE},
        {**SSM_SOURCE, **URI_SOURCE},
    ],
    ids=["secret and ssm", "secret and uri", "ssm and uri"],
)
def test_two_database_sources_are_refused(sources: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StackRefused, match=r"^OneDatabaseSource: "):
        _deployed(sources, monkeypatch, base={})


def test_the_http_api_is_throttled_as_the_rest_stage_is(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = {"ThrottlingRateLimit": "30", "ThrottlingBurstLimit": "60"}
    resources = _deployed({"EnableHttpApi": "true", **limits}, monkeypatch)
    stage = resources["RoomsHttpApiStage"]["Properties"]
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {"ThrottlingRateLimit": "30", "ThrottlingBurstLimit": "60"}
    [rest_stage] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    rest = rest_stage["MethodSettings"]
    assert [(s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"]) for s in rest] == [("30", "60")]
    assert resources["RoomsHttpApiRoute"]["Properties"]["RouteKey"] == "$default"


LOGS_AND_TRACES = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
VPC_INTERFACES = {
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
}


def _role_grants(resources: dict[str, Any]) -> dict[str, Any]:
    """Every action the function's role allows, with the resource it is allowed on."""
    role = resources["RoomsFunctionRole"]["Properties"]
    assert "ManagedPolicyArns" not in role, "every grant is written out in the template"
    grants: dict[str, Any] = {}
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            grants |= dict.fromkeys(actions, statement["Resource"])
    return grants


@pytest.mark.parametrize(
    ("parameters", "extra"),
    [
        (DATABASE, {"secretsmanager:GetSecretValue": SECRET_ARN}),
        (SSM_SOURCE, {"ssm:GetParameter": "parameter"}),
        (URI_SOURCE, {}),
        (
            {**DATABASE, **VPC},
            {"secretsmanager:GetSecretValue": SECRET_ARN} | dict.fromkeys(VPC_INTERFACES, "*"),
        ),
        (
            {**SSM_SOURCE, **KMS_KEY},
            {"ssm:GetParameter": "parameter", "kms:Decrypt": KMS_KEY["MongoDbKmsKeyArn"]},
        ),
    ],
    ids=["secret", "ssm parameter", "plain uri", "secret in a vpc", "ssm parameter, own kms key"],
)
def test_the_role_allows_exactly_what_the_configuration_uses(
    parameters: dict[str, str], extra: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    resources = _deployed(parameters, monkeypatch, base={})
    grants = _role_grants(resources)
    assert set(grants) == LOGS_AND_TRACES | set(extra)
    assert grants["logs:PutLogEvents"] == {"Fn::GetAtt": ["RoomsFunctionLogGroup", "Arn"]}
    for action, resource in extra.items():
        assert resource in json.dumps(grants[action]), (action, grants[action])
    if "ssm:GetParameter" in grants:
        assert "parameter/${MongoDbUriParameter}" in json.dumps(grants["ssm:GetParameter"])
    role = resources["RoomsFunctionRole"]["Properties"]
    decrypt = [
        statement
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Action"] == "kms:Decrypt"
    ]
    for statement in decrypt:
        services = json.dumps(statement["Condition"]["StringEquals"]["kms:ViaService"])
        assert "secretsmanager.${AWS::Region}" in services
        assert "ssm.${AWS::Region}" in services
    function = resources["RoomsFunction"]["Properties"]
    assert function["Role"] == {"Fn::GetAtt": ["RoomsFunctionRole", "Arn"]}
    assert "Policies" not in function, "SAM would make a role of its own"


FREE_FORM = sorted(
    name
    for name, spec in PARAMETER_SPECS.items()
    if spec["Type"] in ("String", "CommaDelimitedList") and "AllowedValues" not in spec
)


@pytest.mark.parametrize("name", FREE_FORM)
def test_every_free_form_parameter_is_checked_at_deploy_time_with_a_plain_explanation(name: str) -> None:
    spec = PARAMETER_SPECS[name]
    assert spec.get("AllowedPattern"), f"{name} takes anything"
    assert len(str(spec.get("ConstraintDescription", ""))) > 20, f"{name} says nothing when it refuses"
    assert re.fullmatch(spec["AllowedPattern"], str(spec.get("Default", ""))), "its default passes"


GOOD_AND_BAD = {
    "CorsAllowedOrigins": (
        [
            "https://dashboard.example.com",
            "https://a.example.com, http://localhost:5173",
            "http://[::1]:8080",
        ],
        ["https://dashboard.example.com/", "*", "dashboard.example.com", "https://a.example.com/path"],
    ),
    "MongoDbUriParameter": (["rocketchat/mongodb-uri", "mongodb-uri"], ["/rocketchat/mongodb-uri", "a b"]),
    "MongoDbSecretArn": (
        [SECRET_ARN],
        [
            "rocketchat/mongodb",
            "arn:aws:ssm:us-east-1:123456789012:parameter/x",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:rocketchat/mongodb",
        ],
    ),
    "MongoDbKmsKeyArn": ([KMS_KEY["MongoDbKmsKeyArn"]], ["alias/aws/secretsmanager", "1234abcd"]),
    "MongoDbUri": (["mongodb+srv://u:p@cluster0.example.net/rc", "mongodb://db:27017"], ["db.example:27017"]),
    "MongoDbDatabase": (["rocketchat", "rc_prod-2"], ["rocket.chat", "a/b", ""]),
    "StageName": (["prod", "dev_2"], ["prod/v1", ""]),
    "AlarmTopicArn": (["arn:aws:sns:us-east-1:123456789012:oncall"], ["oncall"]),
    "AlbListenerArn": (
        [ALB["AlbListenerArn"]],
        ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/rc/50dc6c495c0c9188"],
    ),
    "MetricsNamespace": (["VoipRooms/prod"], ["AWS/Lambda", "", ":VoipRooms", " VoipRooms"]),
}


@pytest.mark.parametrize("name", sorted(GOOD_AND_BAD))
def test_parameter_patterns_take_real_values_and_refuse_the_usual_typos(name: str) -> None:
    good, bad = GOOD_AND_BAD[name]
    pattern = PARAMETER_SPECS[name]["AllowedPattern"]
    assert [value for value in good if not re.fullmatch(pattern, value)] == []
    assert [value for value in bad if re.fullmatch(pattern, value)] == []


ORIGINS = st.builds(
    "{}://{}{}{}".format,
    st.sampled_from(["https", "http", "HTTPS", "ftp", ""]),
    st.sampled_from(
        ["dashboard.example.com", "a_b.example.com", "[2001:db8::1]", "*.example.com", "a b", ""]
    ),
    st.one_of(
        st.just(""), st.integers(0, 99_999).map(":{}".format), st.integers(0, 999).map(":0{:04d}".format)
    ),
    st.sampled_from(["", "", "/", "/path"]),
)


@settings(max_examples=400)
@given(
    st.lists(ORIGINS, min_size=1, max_size=3).flatmap(
        lambda items: st.sampled_from([",", ", "]).map(lambda separator: separator.join(items))
    )
)
def test_the_cors_pattern_lets_through_exactly_what_the_function_accepts(value: str) -> None:
    # What the pattern lets through but the function refuses would deploy, then break every cold start;
    # the reverse would refuse a working value. Only a value of spaces alone differs: the template
    # refuses it, since CORS would be on with no origin.
    from voip_rooms.settings import _origins_env  # noqa: PLC0415

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORS_ALLOWED_ORIGINS", value)
        try:
            _origins_env("CORS_ALLOWED_ORIGINS")
        except ValueError:
            function_accepts = False
        else:
            function_accepts = bool(value.strip())
    pattern = PARAMETER_SPECS["CorsAllowedOrigins"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) == function_accepts


@pytest.mark.parametrize("enabled", [True, False])
def test_the_calls_page_has_its_rest_routes_load_balancer_path_and_invoke_permission_only_when_enabled(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On by default: the parameter's default is what a deployment without it gets.
    resources = _deployed({**ALB, **({} if enabled else {"EnableCallsPage": "false"})}, monkeypatch)
    paths = resources["RoomsApi"]["Properties"]["Body"]["paths"]
    variables = resources["RoomsFunction"]["Properties"]["Environment"]["Variables"]
    rule = resources["RoomsListenerRule"]["Properties"]
    patterns = next(c for c in rule["Conditions"] if c["Field"] == "path-pattern")["PathPatternConfig"][
        "Values"
    ]
    page_paths = {"/voip-calls", "/voip-calls/assets/{asset}"}
    assert variables["ENABLE_CALLS_PAGE"] == ("true" if enabled else "false")
    if not enabled:
        assert not page_paths & set(paths)
        assert "RoomsApiCallsPagePermission" not in resources
        assert patterns == ["/api/v1/voip/rooms", "/api//v1/voip/rooms"]
        return
    # GET and HEAD, to the live alias like the endpoint itself; the asset's name is a path parameter.
    for path in page_paths:
        assert sorted(paths[path]) == ["get", "head"]
        for method in paths[path].values():
            integration = method["x-amazon-apigateway-integration"]
            assert integration["type"] == "aws_proxy"
            assert "functions/${RoomsFunctionAliaslive}/invocations" in integration["uri"]["Fn::Sub"]
    for method in ("get", "head"):
        assert paths["/voip-calls/assets/{asset}"][method]["parameters"][0]["name"] == "asset"
    permission = resources["RoomsApiCallsPagePermission"]["Properties"]
    assert permission["FunctionName"] == {"Ref": "RoomsFunctionAliaslive"}
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["SourceArn"]["Fn::Sub"].endswith("${RoomsApi}/*/*/voip-calls*")
    # Behind Rocket.Chat's load balancer: the page and its assets on Rocket.Chat's own origin, in the one rule
    # (an ALB rule takes at most five condition values: three paths and up to two methods).
    assert patterns == ["/api/v1/voip/rooms", "/api//v1/voip/rooms", "/voip-calls*"]
    methods = next(c for c in rule["Conditions"] if c["Field"] == "http-request-method")
    assert len(patterns) + len(methods["HttpRequestMethodConfig"]["Values"]) <= 5
    # The stack says where the page is through the REST API.
    output = yaml_parse((ROOT / "template.yaml").read_text())["Outputs"]["CallsPageUrl"]
    assert output["Condition"] == "WithCallsPage"
    assert output["Value"]["Fn::Sub"].endswith("/${StageName}/voip-calls")
    # Its description is one text for stacks with and without the rule: Rocket.Chat's address only with it.
    assert output["Description"].startswith("The Calls page through the REST API")
    assert (
        "(with AlbListenerArn set, also at /voip-calls on Rocket.Chat's own address" in output["Description"]
    )


def test_the_template_lints_clean_with_the_calls_page_off() -> None:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    for name, value in {**_parameters(True, True, True), "EnableCallsPage": "false"}.items():
        template["Parameters"][name]["Default"] = value
    matches = lint(json.dumps(template), regions=["us-east-1"])
    assert [str(m) for m in matches] == []
