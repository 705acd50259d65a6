"""Settings: `config.yaml` for what deployments tune, the environment for secrets.

Validated once at start-up into frozen dataclasses; a mistake raises ConfigError naming the key,
so a bad deployment fails loudly before it accepts a single webhook.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import safeyaml

DEFAULT_CONFIG_PATH = "config.yaml"


class ConfigError(Exception):
    """A setting is missing, mistyped or unknown; the message names the key."""


@dataclass(frozen=True)
class AgencySettings:
    """Who runs the OA. Answers reference these as {agency}, {hotline}, … so another province
    deploys by editing config and content only."""

    name: str = "Ủy ban nhân dân tỉnh"
    short_name: str = "UBND tỉnh"
    hotline: str = "1900 0000"
    email: str = ""
    address: str = ""
    office_hours: str = "Sáng 7:30–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu"
    portal: str = "https://dichvucong.gov.vn"
    local_portal: str = ""
    website: str = ""

    def placeholders(self) -> dict[str, str]:
        """Values staff may write as {name} in answers."""
        return {
            "agency": self.name,
            "agency_short": self.short_name,
            "hotline": self.hotline,
            "email": self.email,
            "address": self.address,
            "office_hours": self.office_hours,
            "portal": self.portal,
            "local_portal": self.local_portal or self.portal,
            "website": self.website or self.local_portal or self.portal,
        }


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 8
    max_body_bytes: int = 64 * 1024
    event_max_age_hours: float = 24.0
    inbox_workers: int = 4  # threads; mostly waiting on Zalo's HTTP replies
    # True: event processing, campaigns and the retention purge run in a separate `python -m bot worker`
    # process (`serve` starts one), so matching never competes with webhook requests for the GIL.
    worker_process: bool = False
    inbox_lease_seconds: float = 120.0
    inbox_retention_days: int = 30


@dataclass(frozen=True)
class ZaloSettings:
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    timeout_seconds: float = 10.0
    max_attempts: int = 4
    backoff_seconds: float = 0.5
    refresh_before_expiry_minutes: int = 120


@dataclass(frozen=True)
class MatcherSettings:
    """Confidence tiers on the matcher's 0..1 score, calibrated on tests/data/matcher_eval.yaml and
    the knowledge base's own `examples` (see bench/README.md): answer when the top entry scores at
    least `answer_threshold` and leads the runner-up by `answer_margin`; otherwise offer up to
    `max_suggestions` entries scoring at least `suggest_threshold`; otherwise fall back."""

    answer_threshold: float = 0.58
    suggest_threshold: float = 0.35
    answer_margin: float = 0.05
    max_suggestions: int = 3
    semantic: bool = True  # the meaning signal (bot/matcher/semantic.py); false = lexical only
    vector_cache: str = "data/vectors.sqlite3"  # phrasing vectors, so a restart re-embeds only what changed
    related_threshold: float = 0.2  # a fallback offers entries this close lexically …
    related_similarity: float = 0.82  # … that the meaning signal also finds this close (tune half)
    related_contrast: float = 0.2  # … and this close in the knowledge base's contrast space (semantic.py)


@dataclass(frozen=True)
class KnowledgeSettings:
    reload_interval_seconds: float = 2.0


@dataclass(frozen=True)
class ConversationSettings:
    """The conversation layer: flows, handoff to staff, flood limit and how long personal data is kept
    (docs/privacy.md explains each period)."""

    flow_idle_minutes: float = 30.0  # an unfinished flow (feedback, deletion request) is dropped after this
    handoff_timeout_hours: float = 24.0  # the bot speaks again when staff stay silent this long
    staff_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # weekdays staff answer, Monday = 0
    staff_periods: tuple[str, ...] = ("07:30-11:30", "13:30-17:00")
    staff_hours_text: str = ""  # shown to citizens; empty = agency.office_hours
    flood_max_messages: int = 8  # more messages than this within the window get one slow-down note
    flood_window_seconds: float = 30.0
    message_retention_days: int = 30  # outgoing bodies, answer log, rating questions
    ticket_retention_days: int = 365  # closed tickets are anonymised after this
    unanswered_retention_days: int = 180  # time for staff to turn unanswered questions into content
    contact_banner_url: str = ""  # image for Zalo's request_user_info; empty = ask to type a phone number
    menu_topics: tuple[str, ...] = ()  # knowledge topic keys in menu order; empty = all

    def __post_init__(self) -> None:
        for i, period in enumerate(self.staff_periods):
            if not _PERIOD.fullmatch(period):
                raise ConfigError(f"conversations.staff_periods[{i}]: expected HH:MM-HH:MM, got {period!r}")
        if any(day > 6 for day in self.staff_days):
            raise ConfigError("conversations.staff_days: weekdays are 0 (Monday) to 6 (Sunday)")

    def staff_on_duty(self, moment: datetime) -> bool:
        """Whether `moment` (local time) falls in a staff working period."""
        if moment.weekday() not in self.staff_days:
            return False
        clock = moment.strftime("%H:%M")
        return any(start <= clock < end for start, end in (p.split("-") for p in self.staff_periods))


_PERIOD = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d")


def _campaign_topics() -> dict[str, str]:
    return {"cchc": "Tin cải cách hành chính", "dvc": "Hướng dẫn dịch vụ công", "su-kien": "Sự kiện, tập huấn"}


@dataclass(frozen=True)
class CampaignSettings:
    """Broadcast campaigns (campaigns/README.md explains each setting and its why).

    The default rate stays far below Zalo's 4,000 requests/minute per app because replies to
    citizens share that limit; 0 lifts the limit (benchmarks only)."""

    run_scheduler: bool = True  # this process competes for the scheduler lease (exactly one wins)
    rate_per_second: float = 20.0
    concurrency: int = 8  # sending threads; the Zalo client pools up to 32 connections
    quiet_hours: str = "21:00-07:00"  # local time, no campaign sends; "" = none (Zalo's 22:00-06:00 night rule still applies)
    # A send whose outcome is unknown (crash, timeout): check = read the OA's conversation with the citizen,
    # mark it sent if the message is there, resend if it is not, keep it unsent if the check fails |
    # skip = never resend | resend = always resend (may duplicate)
    ambiguous_policy: str = "check"
    ambiguous_check_after_seconds: float = 60.0  # let Zalo finish a timed-out request before looking for it
    misfire_grace_minutes: float = 60.0  # a run missed by less (service down, busy) still runs late
    max_attempts: int = 5  # transient failures of one recipient before it is recorded failed
    backoff_seconds: float = 1.0  # first pause of the whole campaign after -32 or a transient error
    max_backoff_seconds: float = 60.0
    lease_seconds: float = 30.0  # scheduler and run leases; a dead holder is replaced after this
    tick_seconds: float = 10.0  # how often the scheduler picks up changes and runs to continue
    topics: dict[str, str] = field(default_factory=_campaign_topics)  # subscription topics citizens choose

    def __post_init__(self) -> None:
        if self.quiet_hours and not _PERIOD.fullmatch(self.quiet_hours):
            raise ConfigError(f"campaigns.quiet_hours: expected HH:MM-HH:MM or \"\", got {self.quiet_hours!r}")
        if self.ambiguous_policy not in ("check", "skip", "resend"):
            raise ConfigError(f"campaigns.ambiguous_policy: expected check, skip or resend, got {self.ambiguous_policy!r}")
        if self.ambiguous_check_after_seconds < 0:
            raise ConfigError("campaigns.ambiguous_check_after_seconds must be ≥ 0")
        if not 1 <= self.concurrency <= 32:
            raise ConfigError(f"campaigns.concurrency: expected 1 to 32, got {self.concurrency}")
        if self.rate_per_second > 4000 / 60:
            raise ConfigError(f"campaigns.rate_per_second: {self.rate_per_second} exceeds Zalo's 4,000 requests/minute")
        if self.max_attempts < 1 or self.lease_seconds < 3 or self.tick_seconds <= 0:
            raise ConfigError("campaigns: max_attempts ≥ 1, lease_seconds ≥ 3 and tick_seconds > 0 are required")


@dataclass(frozen=True)
class ReportSettings:
    """The periodic report (docs/reports.md)."""

    ticket_deadline_days: float = 10.0  # a ticket closed within this many days of filing counts as on time
    satisfaction_survey: bool = False  # ask "Bạn có hài lòng…?" after a ticket is closed or a handoff ends
    survey_window_hours: float = 48.0  # only within this long of the citizen's last interaction (Zalo's free window)


@dataclass(frozen=True)
class ConsoleSettings:
    """The web console for officers and staff (`/console/`, console/README.md)."""

    campaigns_dir: str = "campaigns"  # where the console writes campaign files (the CLI's source of truth)
    trust_forwarded_proto: bool = False  # behind an HTTPS reverse proxy that sets X-Forwarded-Proto


@dataclass(frozen=True)
class Secrets:
    """From the environment only; never from config.yaml, never logged (repr hides them)."""

    app_id: str = ""
    app_secret: str = field(default="", repr=False)
    oa_secret_key: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    admin_token: str = field(default="", repr=False)
    log_key: str = field(default="", repr=False)
    console_secret: str = field(default="", repr=False)

    @property
    def webhook_ready(self) -> bool:
        return bool(self.app_id and self.oa_secret_key)

    @property
    def sandbox(self) -> bool:
        """No way to reach Zalo: outgoing messages go to the database outbox instead."""
        return not (self.access_token or (self.refresh_token and self.app_secret and self.app_id))


@dataclass(frozen=True)
class Config:
    database: str = "data/bot.sqlite3"
    knowledge_dir: str = "knowledge"
    timezone: str = "Asia/Ho_Chi_Minh"
    agency: AgencySettings = AgencySettings()
    server: ServerSettings = ServerSettings()
    zalo: ZaloSettings = ZaloSettings()
    matcher: MatcherSettings = MatcherSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    conversations: ConversationSettings = ConversationSettings()
    campaigns: CampaignSettings = CampaignSettings()
    reports: ReportSettings = ReportSettings()
    console: ConsoleSettings = ConsoleSettings()
    secrets: Secrets = Secrets()


# Environment variable -> (section or None, key). Secrets are handled separately.
ENV_OVERRIDES: dict[str, tuple[str | None, str]] = {
    "BOT_DATABASE": (None, "database"),
    "BOT_KNOWLEDGE": (None, "knowledge_dir"),
    "BOT_PORT": ("server", "port"),
    "ZALO_API_BASE": ("zalo", "api_base"),
    "ZALO_OAUTH_BASE": ("zalo", "oauth_base"),
}

SECRET_ENV: dict[str, str] = {
    "app_id": "ZALO_APP_ID",
    "app_secret": "ZALO_APP_SECRET",
    "oa_secret_key": "ZALO_OA_SECRET_KEY",
    "access_token": "ZALO_ACCESS_TOKEN",
    "refresh_token": "ZALO_REFRESH_TOKEN",
    "admin_token": "BOT_ADMIN_TOKEN",
    "log_key": "BOT_LOG_KEY",
    "console_secret": "BOT_CONSOLE_SECRET",
}


def load_config(path: str | Path | None = None, env: typing.Mapping[str, str] | None = None) -> Config:
    """Read config.yaml (or $BOT_CONFIG), apply environment overrides, validate."""
    env = os.environ if env is None else env
    path = Path(path or env.get("BOT_CONFIG") or DEFAULT_CONFIG_PATH)
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = safeyaml.load(path.read_text(encoding="utf-8")) or {}
        except safeyaml.YAMLInputError as exc:
            raise ConfigError(f"not valid YAML: {exc.located(str(path))}") from None
    elif "BOT_CONFIG" in env:
        raise ConfigError(f"BOT_CONFIG points at {path}, which does not exist")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of settings")
    if "secrets" in data:
        raise ConfigError("secrets: secrets come from the environment only (see README), remove them from config.yaml")
    for var, (section, key) in ENV_OVERRIDES.items():
        if env.get(var):
            target = data.setdefault(section, {}) if section else data
            target[key] = env[var]
    config = build(Config, data, "")
    secrets = Secrets(**{name: env.get(var, "").strip() for name, var in SECRET_ENV.items()})
    return dataclasses.replace(config, secrets=secrets)


def build(cls: type, data: Any, prefix: str) -> Any:
    """Turn a mapping into dataclass `cls`, rejecting unknown keys and wrong types by name."""
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix or 'config'}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.name != "secrets"}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}: unknown setting (known: {', '.join(sorted(names))})")
    values = {key: _coerce(hints[key], value, f"{prefix}{key}") for key, value in data.items()}
    return cls(**values)


def _coerce(hint: Any, value: Any, key: str) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return build(hint, value or {}, key + ".")
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _coerce(options[0], value, key)
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list")
        (item,) = typing.get_args(hint)[:1]
        return tuple(_coerce(item, v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping")
        return dict(value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if hint in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        try:
            number = hint(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
        if number < 0:
            raise ConfigError(f"{key}: must not be negative, got {value!r}")
        return number
    if hint is str:
        if isinstance(value, (dict, list)) or value is None or isinstance(value, bool):
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return str(value)
    return value
