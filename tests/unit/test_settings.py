"""Settings from the environment: each variable's default, parsing and minimum, and the template's match."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from voip_rooms.settings import READ_PREFERENCES, Settings

ROOT = Path(__file__).resolve().parents[2]
# Each setting is read from the variable named as its field, upper-cased, but for Powertools' own.
OWN_NAMES = {"metrics_namespace": "POWERTOOLS_METRICS_NAMESPACE"}
FIELD_OF = {OWN_NAMES.get(f.name, f.name.upper()): f.name for f in dataclasses.fields(Settings)}
VARIABLES = list(FIELD_OF)

# variable, default, smallest accepted value
INTEGER_SETTINGS = [
    ("MONGODB_SECRET_MAX_AGE_SECONDS", 300, 0),
    ("MONGODB_TIMEOUT_MS", 5000, 1),
    ("MONGODB_MAX_POOL_SIZE", 2, 1),
    ("LOGIN_EXPIRATION_DAYS", 90, 1),
    ("PERMISSIONS_CACHE_TTL_SECONDS", 60, 0),
    ("MAX_BODY_BYTES", 16_384, 2),
    ("MAX_STRING_LENGTH", 256, 1),
    ("MAX_ARRAY_LENGTH", 100, 1),
    ("MAX_RESPONSE_BYTES", 5_500_000, 10_000),
]
# variable, default
TEXT_SETTINGS = [
    ("MONGODB_URI", ""),
    ("MONGODB_SECRET_ARN", ""),
    ("MONGODB_URI_PARAMETER", ""),
    ("MONGODB_DATABASE", "rocketchat"),
    ("MONGODB_READ_PREFERENCE", "secondaryPreferred"),
    ("POWERTOOLS_METRICS_NAMESPACE", "VoipRooms"),
    ("INTEGRATION_USER_ID", ""),
]
BOOLEAN_SETTINGS = ["TRACE_DATABASE_COMMANDS", "ENABLE_SWAGGER_UI"]
# Switches that are on unless turned off.
ON_BY_DEFAULT_SETTINGS = ["ENABLE_CALLS_PAGE"]
# A value each variable accepts, and what it becomes.
SAMPLES: dict[str, tuple[str, Any]] = {
    "MONGODB_URI": (" mongodb://db.example:27017/rc ", "mongodb://db.example:27017/rc"),
    "MONGODB_SECRET_ARN": (
        " arn:aws:secretsmanager:eu-west-1:1:secret:db ",
        "arn:aws:secretsmanager:eu-west-1:1:secret:db",
    ),
    "MONGODB_URI_PARAMETER": (" /rocketchat/mongodb-uri ", "/rocketchat/mongodb-uri"),
    "MONGODB_DATABASE": (" callcenter ", "callcenter"),
    "MONGODB_READ_PREFERENCE": (" nearest ", "nearest"),
    "CORS_ALLOWED_ORIGINS": (
        "https://a.example, https://b.example",
        ("https://a.example", "https://b.example"),
    ),
    "POWERTOOLS_METRICS_NAMESPACE": (" Calls ", "Calls"),
    "TRACE_DATABASE_COMMANDS": (" TRUE ", True),
    "ENABLE_SWAGGER_UI": (" true ", True),
    "ENABLE_CALLS_PAGE": (" FALSE ", False),
    "INTEGRATION_USER_ID": (" k6Fx2b7nLrWqzPv9T ", "k6Fx2b7nLrWqzPv9T"),
    **{name: (f" {default + 7} ", default + 7) for name, default, _ in INTEGER_SETTINGS},
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting variable set, whatever the machine running the tests has."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _setting(variable: str) -> Any:
    return getattr(Settings.from_env(), FIELD_OF[variable])


def test_every_setting_variable_has_a_sample_value() -> None:
    assert sorted(SAMPLES) == sorted(VARIABLES)


@pytest.mark.parametrize(("variable", "default", "minimum"), INTEGER_SETTINGS)
def test_an_unset_or_blank_integer_setting_takes_its_default(
    environment: pytest.MonkeyPatch, variable: str, default: int, minimum: int
) -> None:
    assert _setting(variable) == default
    environment.setenv(variable, "  ")
    assert _setting(variable) == default


@pytest.mark.parametrize(("variable", "default", "minimum"), INTEGER_SETTINGS)
def test_an_integer_setting_accepts_its_minimum_and_refuses_one_less(
    environment: pytest.MonkeyPatch, variable: str, default: int, minimum: int
) -> None:
    environment.setenv(variable, str(minimum))
    assert _setting(variable) == minimum
    environment.setenv(variable, str(minimum - 1))
    with pytest.raises(ValueError, match=f"^{variable} must be at least {minimum}$"):
        Settings.from_env()


@pytest.mark.parametrize(("variable", "default", "minimum"), INTEGER_SETTINGS)
def test_an_integer_setting_that_is_not_a_number_stops_the_function(
    environment: pytest.MonkeyPatch, variable: str, default: int, minimum: int
) -> None:
    environment.setenv(variable, "12 seconds")
    with pytest.raises(ValueError, match=f"^{variable} must be a whole number$"):
        Settings.from_env()


@pytest.mark.parametrize(("variable", "default"), TEXT_SETTINGS)
def test_an_unset_or_blank_text_setting_takes_its_default(
    environment: pytest.MonkeyPatch, variable: str, default: str
) -> None:
    assert _setting(variable) == default
    environment.setenv(variable, "   ")
    assert _setting(variable) == default


@pytest.mark.parametrize("variable", BOOLEAN_SETTINGS)
def test_a_switch_is_off_unless_set_to_true(environment: pytest.MonkeyPatch, variable: str) -> None:
    assert _setting(variable) is False
    for value in ("false", " FALSE ", ""):
        environment.setenv(variable, value)
        assert _setting(variable) is False


@pytest.mark.parametrize("variable", ON_BY_DEFAULT_SETTINGS)
def test_a_switch_on_by_default_is_on_unless_set_to_false(
    environment: pytest.MonkeyPatch, variable: str
) -> None:
    assert _setting(variable) is True
    for value in ("true", " TRUE ", ""):
        environment.setenv(variable, value)
        assert _setting(variable) is True
    environment.setenv(variable, " false ")
    assert _setting(variable) is False


@pytest.mark.parametrize("variable", BOOLEAN_SETTINGS + ON_BY_DEFAULT_SETTINGS)
def test_a_switch_set_to_anything_but_true_or_false_stops_the_function(
    environment: pytest.MonkeyPatch, variable: str
) -> None:
    environment.setenv(variable, "yes")
    with pytest.raises(ValueError, match=f"^{variable} must be true or false$"):
        Settings.from_env()


def test_without_origins_cors_is_off(environment: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().cors_allowed_origins == ()


@pytest.mark.parametrize("variable", VARIABLES)
def test_each_setting_is_read_from_its_variable_and_trimmed(
    environment: pytest.MonkeyPatch, variable: str
) -> None:
    defaults = dataclasses.asdict(Settings.from_env())
    raw, expected = SAMPLES[variable]
    environment.setenv(variable, raw)
    settings = dataclasses.asdict(Settings.from_env())
    assert settings[FIELD_OF[variable]] == expected
    # ...and that variable only: every other setting keeps its default.
    assert {name for name, value in settings.items() if defaults[name] != value} == {FIELD_OF[variable]}


@pytest.mark.parametrize("preference", READ_PREFERENCES)
def test_every_read_preference_mongodb_knows_is_accepted(
    environment: pytest.MonkeyPatch, preference: str
) -> None:
    environment.setenv("MONGODB_READ_PREFERENCE", preference)
    assert Settings.from_env().mongodb_read_preference == preference


def test_read_preferences_are_mongodbs_five_modes() -> None:
    assert READ_PREFERENCES == ("primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest")


def test_a_misspelt_read_preference_names_the_accepted_ones(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("MONGODB_READ_PREFERENCE", "Primary")
    message = "MONGODB_READ_PREFERENCE must be one of " + ", ".join(READ_PREFERENCES)
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Settings.from_env()


@pytest.mark.parametrize(
    ("uri", "secret", "parameter", "from_secret"),
    [
        ("", "arn:secret", "", True),
        ("", "", "/parameter", True),
        ("", "arn:secret", "/parameter", True),
        ("mongodb://db", "arn:secret", "/parameter", False),
        ("", "", "", False),
    ],
)
def test_a_plain_connection_string_wins_over_a_secret_or_parameter(
    environment: pytest.MonkeyPatch, uri: str, secret: str, parameter: str, from_secret: bool
) -> None:
    environment.setenv("MONGODB_URI", uri)
    environment.setenv("MONGODB_SECRET_ARN", secret)
    environment.setenv("MONGODB_URI_PARAMETER", parameter)
    assert Settings.from_env().connection_from_secret is from_secret


# --- the template and the settings agree ---

POWERTOOLS_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_LOG_LEVEL"}  # read by Powertools alone


def _template_variables() -> dict[str, Any]:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    variables: dict[str, Any] = template["Resources"]["RoomsFunction"]["Properties"]["Environment"][
        "Variables"
    ]
    return variables


def test_every_variable_the_template_sets_is_a_setting() -> None:
    assert set(_template_variables()) - POWERTOOLS_VARIABLES <= set(VARIABLES)


def test_a_setting_the_template_does_not_set_says_why_in_the_readme() -> None:
    not_in_template = set(VARIABLES) - set(_template_variables())
    readme = (ROOT / "README.md").read_text()
    reason = next(p for p in readme.split("\n\n") if p.startswith("Not template parameters:"))
    assert set(re.findall(r"`([A-Z_]+)`", reason)) == not_in_template
