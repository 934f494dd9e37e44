"""Finding and reading profile files (YAML) into validated `Profile` objects."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from saylau.domain.errors import ProfileError
from saylau.domain.profile import Profile, load_profile

REPO_PROFILES = Path(__file__).resolve().parents[2] / "profiles"


def shipped_profile_path(code: str) -> Path:
    """The YAML file of a profile that ships with saylau (wheel data or the source tree)."""
    packaged = resources.files("saylau").joinpath("_profiles", f"{code}.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    candidate = REPO_PROFILES / f"{code}.yaml"
    if candidate.is_file():
        return candidate
    raise ProfileError(code, "no such profile ships with saylau")


@lru_cache(maxsize=32)
def parse_profile_text(text: str) -> Profile:
    """Parse and validate profile YAML; cached because elections re-read their frozen copy."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProfileError("(document)", f"is not valid YAML: {exc}") from exc
    return load_profile(raw)


def read_profile(path: Path) -> tuple[Profile, str]:
    """A profile file's validated rules and its exact text (frozen into the election)."""
    text = path.read_text(encoding="utf-8")
    return parse_profile_text(text), text


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
