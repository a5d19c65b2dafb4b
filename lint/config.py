"""Settings: ``.clinic-lint.yaml`` or ``[tool.clinic-lint]`` in ``pyproject.toml``, then the command line.

The nearest config file found by walking up from the current directory is used (``--config`` names one).
Every key is validated; an unknown key or a wrong type is a one-line error and exit code 2. Paths in a
config file are relative to the file's directory.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from lint.extract import DEFAULT_EXTENSIONS, FORMATS
from lint.model import SEVERITIES, LintError

CONFIG_NAMES = (".clinic-lint.yaml", ".clinic-lint.yml")


@dataclass
class Config:
    packs: list[str] = field(default_factory=list)  # extra pack files
    default_packs: bool = True
    select: list[str] = field(default_factory=list)  # rule ids, categories or pack names; empty = all
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # rule id or category -> severity
    fail_on: str = "warning"
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> ids
    extensions: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_EXTENSIONS))
    exclude: list[str] = field(default_factory=list)
    encoding_errors: str = "skip"  # skip | replace
    unused_suppression: str = "info"  # severity of useless or unexplained suppressions, or "off"
    baseline: str | None = None
    jobs: int = 0  # 0: one per core
    regex_timeout: float = 2.0
    cache: bool = True  # the compiled-pack cache; only --no-cache turns it off (not a config-file key)
    source: str | None = None  # the config file these settings came from


# key in the file -> (Config attribute, validator)
def _str_list(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LintError(f"'{key}' must be a list of strings")
    return list(value)


def _severity_map(key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise LintError(f"'{key}' must map rule ids or categories to error, warning or info")
    for k, v in value.items():
        if v not in SEVERITIES:
            raise LintError(f"'{key}': severity of '{k}' must be error, warning or info, not '{v}'")
    return {str(k): str(v) for k, v in value.items()}


def _choice(*choices: str):
    def check(key: str, value: Any) -> str:
        if value not in choices:
            raise LintError(f"'{key}' must be one of {', '.join(choices)}, not '{value}'")
        return str(value)

    return check


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise LintError(f"'{key}' must be true or false")
    return value


def _per_path(key: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise LintError(f"'{key}' must map path globs to lists of rule ids, categories or packs")
    return {str(k): _str_list(f"{key}.{k}", v) for k, v in value.items()}


def _extensions(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, list):  # a plain list of extensions guesses the format from the known ones
        value = {ext: DEFAULT_EXTENSIONS.get(_dot(ext), "text") for ext in _str_list(key, value)}
    if not isinstance(value, dict):
        raise LintError(f"'{key}' must map extensions to a format ({', '.join(FORMATS)})")
    out = {}
    for ext, fmt in value.items():
        if fmt not in FORMATS:
            raise LintError(f"'{key}': format of '{ext}' must be one of {', '.join(FORMATS)}, not '{fmt}'")
        out[_dot(str(ext))] = str(fmt)
    return out


def _dot(ext: str) -> str:
    ext = ext.lower()
    return ext if ext.startswith(".") else "." + ext


def _jobs(key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise LintError(f"'{key}' must be a whole number (0 = one per core)")
    return value


def _timeout(key: str, value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise LintError(f"'{key}' must be a positive number of seconds")
    return float(value)


def _path(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise LintError(f"'{key}' must be a path")
    return value


_KEYS = {
    "packs": ("packs", _str_list),
    "default-packs": ("default_packs", _bool),
    "select": ("select", _str_list),
    "ignore": ("ignore", _str_list),
    "severity": ("severity", _severity_map),
    "fail-on": ("fail_on", _choice(*SEVERITIES)),
    "per-path-ignores": ("per_path_ignores", _per_path),
    "extensions": ("extensions", _extensions),
    "exclude": ("exclude", _str_list),
    "encoding-errors": ("encoding_errors", _choice("skip", "replace")),
    "unused-suppression": ("unused_suppression", _choice(*SEVERITIES, "off")),
    "baseline": ("baseline", _path),
    "jobs": ("jobs", _jobs),
    "regex-timeout": ("regex_timeout", _timeout),
}
CONFIG_KEYS = tuple(_KEYS)
assert {a for a, _ in _KEYS.values()} <= {f.name for f in fields(Config)}


def find_config(start: Path) -> Path | None:
    """The nearest .clinic-lint.yaml, or pyproject.toml with a [tool.clinic-lint] table, at or above start."""
    here = start.resolve()
    while True:
        for name in CONFIG_NAMES:
            if (here / name).is_file():
                return here / name
        pyproject = here / "pyproject.toml"
        if pyproject.is_file() and _pyproject_table(pyproject) is not None:
            return pyproject
        if here.parent == here:
            return None
        here = here.parent


def load_config(path: Path | None) -> Config:
    """Settings from ``path`` (or defaults when None)."""
    config = Config()
    if path is None:
        return config
    if path.name == "pyproject.toml":
        data = _pyproject_table(path)
        if data is None:
            raise LintError(f"{path}: no [tool.clinic-lint] table")
    else:
        data = _read_yaml_config(path)
    where = str(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LintError(f"{where}: the config must be a mapping of settings")
    for key, value in data.items():
        if key not in _KEYS:
            raise LintError(f"{where}: unknown key '{key}' (known: {', '.join(CONFIG_KEYS)})")
        attr, check = _KEYS[key]
        try:
            setattr(config, attr, check(key, value))
        except LintError as exc:
            raise LintError(f"{where}: {exc}") from None
    base = path.parent
    config.packs = [str(base / p) for p in config.packs]
    if config.baseline is not None:
        config.baseline = str(base / config.baseline)
    config.source = where
    return config


def _read_yaml_config(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LintError(f"{path}: cannot read config: {exc}") from None
    try:
        return YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise LintError(f"{where}: YAML syntax error: {(exc.problem or 'invalid YAML').strip()}") from None
    except YAMLError as exc:
        raise LintError(f"{path}: YAML error: {str(exc).splitlines()[0]}") from None


def _pyproject_table(path: Path) -> dict | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LintError(f"{path}: cannot read pyproject.toml: {exc}") from None
    if b"clinic-lint" not in raw:
        return None  # no table of ours, however it is spelled: not worth parsing (or importing tomllib)
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LintError(f"{path}: cannot read pyproject.toml: {exc}") from None
    table = data.get("tool", {}).get("clinic-lint")
    return table if isinstance(table, dict) else None


def resolve(config_path: str | None, cwd: str | None = None) -> Config:
    """The settings for this run: ``--config`` if given, else the nearest config file, else defaults."""
    if config_path is not None:
        path = Path(config_path)
        if not path.is_file():
            raise LintError(f"{config_path}: config file not found")
        return load_config(path)
    return load_config(find_config(Path(cwd or os.getcwd())))
