"""Per-intent targets for automatic fallback: the site pack's optional targets.yaml.

    defaults: {containment_min: 0.5, window_h: 48, min_calls: 20, ...}
    intents:
      book_appointment: {handle_time_max_s: 240}   # the scheduling desk's own average

An intent not listed gets the defaults; a site pack without the file has no targets (and no
automatic fallback). Errors name the file and line (YamlError), like the rest of the site pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from appliance.yamlsource import YamlError, load_yaml

TARGETS_FILE = "targets.yaml"


class IntentTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    containment_min: float | None = Field(None, ge=0, le=1, description="raw containment, 0..1")
    handle_time_max_s: float | None = Field(None, gt=0, description="average handle time: the human baseline")
    window_h: float | None = Field(None, gt=0, le=24 * 90, description="window the targets are judged over")
    min_calls: int | None = Field(None, ge=1, description="fewer calls in the window: no judgement")
    error_rate_max: float | None = Field(None, ge=0, le=1, description="errored calls / calls, 0..1")
    error_window_h: float | None = Field(None, gt=0, le=24 * 7)
    error_min_calls: int | None = Field(None, ge=1)
    fallback_to: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$", description="a transfer target")


class TargetsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: IntentTarget = Field(default_factory=IntentTarget)
    intents: dict[str, IntentTarget] = Field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """An intent's targets with the defaults filled in."""

    intent: str
    containment_min: float | None = None
    handle_time_max_s: float | None = None
    window_h: float = 48.0
    min_calls: int = 20
    error_rate_max: float | None = None
    error_window_h: float = 1.0
    error_min_calls: int = 5
    fallback_to: str = "operator"

    @property
    def judged(self) -> bool:
        return any(v is not None for v in (self.containment_min, self.handle_time_max_s, self.error_rate_max))


@dataclass(frozen=True)
class Targets:
    spec: TargetsSpec
    default_window_h: float = 48.0

    def for_intent(self, intent: str) -> Target:
        merged = self.spec.defaults.model_dump(exclude_none=True)
        if intent in self.spec.intents:
            merged.update(self.spec.intents[intent].model_dump(exclude_none=True))
        merged.setdefault("window_h", self.default_window_h)
        return Target(intent=intent, **merged)

    def intents(self) -> list[str]:
        return sorted(self.spec.intents)


def load_targets(
    site_dir: Path | str, default_window_h: float = 48.0, flows: set[str] | None = None
) -> Targets:
    """Read site_dir/targets.yaml; an absent file means no targets. `flows` checks the intent names."""
    path = Path(site_dir) / TARGETS_FILE
    if not path.is_file():
        return Targets(TargetsSpec(), default_window_h)
    data, lines = load_yaml(path)
    try:
        spec = TargetsSpec.model_validate(data or {})
    except ValidationError as exc:
        raise lines.validation_errors(exc)[0] from None
    if flows is not None:
        for name in spec.intents:
            if name not in flows:
                raise lines.error(("intents", name), f"intents.{name}: no such flow in flows.yaml")
    return Targets(spec, default_window_h)


__all__ = ["TARGETS_FILE", "IntentTarget", "Target", "Targets", "YamlError", "load_targets"]
