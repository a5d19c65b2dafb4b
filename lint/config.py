"""Settings: ``.clinic-lint.yaml`` or ``[tool.clinic-lint]`` in ``pyproject.toml``, then the command line.

Each file is checked with the nearest config file at or above its directory, as ruff does, so a run gives the
same findings from any current directory; ``--config`` names one file for every path instead. Configs are not
merged: the nearest one is the whole of a file's settings, the command line laid over it (:class:`Resolver`).
Every key is validated; an unknown key or a wrong type is a one-line error ``file:line:column: ...`` and exit
code 2. Paths and globs in a config file are relative to the file's directory.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from lint.extract import DEFAULT_EXTENSIONS, DEFAULT_FRONT_MATTER_KEYS, DEFAULT_PROSE_ATTRIBUTES, FORMATS, key_name
from lint.inputs import DEFAULT_MAX_FILE_SIZE
from lint.model import SEVERITIES, LintError
from lint.yamlsource import Where, did_you_mean, read_yaml

CONFIG_NAMES = (".clinic-lint.yaml", ".clinic-lint.yml")
DEFAULT_FILE_TIMEOUT = 60.0  # seconds a file's check may take: a post needs well under one, a huge page a few


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
    waivers: str | None = None  # the waiver file; None: clinic-lint-waivers.yaml beside the config (or here)
    jobs: int = 0  # 0: one per core
    regex_timeout: float = 2.0
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # seconds one file's check may take (0: no limit); then exit code 3
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes: a larger file is not read (reported, exit code 3)
    front_matter_keys: list[str] = field(default_factory=lambda: list(DEFAULT_FRONT_MATTER_KEYS))  # prose keys
    prose_attributes: list[str] = field(default_factory=lambda: list(DEFAULT_PROSE_ATTRIBUTES))  # JSX/shortcodes
    cache: bool = True  # the compiled-pack cache; only --no-cache turns it off (not a config-file key)
    source: str | None = None  # the config file these settings came from, as messages name it
    root: str | None = None  # that file's directory (absolute): its relative paths and globs start there
    origin: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)  # (key, value) -> "file:line:col"

    def where(self, key: str, value: str) -> str:
        """How a message names the setting ``key`` that holds ``value``: ``file:line:col: key`` where a config
        file sets it, else the command-line option (``--select``)."""
        at = self.origin.get((key, value))
        return f"{at}: {key}" if at else f"--{key}" if key in ("select", "ignore") else key

    def relative(self, path: str) -> str:
        """``path`` as a config glob sees it: relative to the config file's directory, forward slashes (without
        a config file: as given, less a leading ``./``)."""
        if self.root is None:
            return path.replace(os.sep, "/").removeprefix("./")
        return os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")


class _Invalid(LintError):
    """A validator's complaint about one part of a value; ``at`` leads to it (list indexes, mapping keys)."""

    def __init__(self, message: str, *at: Any) -> None:
        super().__init__(message)
        self.at = at


# key in the file -> (Config attribute, validator)
def _str_list(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list):
        raise LintError(f"'{key}' must be a list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise _Invalid(f"'{key}' must be a list of strings", index)
    return [str(v) for v in value]


def _severity_map(key: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise LintError(f"'{key}' must map rule ids or categories to error, warning or info")
    for k, v in value.items():
        if v not in SEVERITIES:
            hint = did_you_mean(v, SEVERITIES) if isinstance(v, str) else ""
            raise _Invalid(f"'{key}': severity of {_echo(k)} must be error, warning or info, not {_echo(v)}{hint}", k)
    return {str(k): str(v) for k, v in value.items()}


def _choice(*choices: str):
    def check(key: str, value: Any) -> str:
        if value not in choices:
            hint = did_you_mean(value, choices) if isinstance(value, str) else ""
            raise LintError(f"'{key}' must be one of {', '.join(choices)}, not {_echo(value)}{hint}")
        return str(value)

    return check


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise LintError(f"'{key}' must be true or false")
    return value


def _per_path(key: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise LintError(f"'{key}' must map path globs to lists of rule ids, categories or packs")
    out = {}
    for glob, selectors in value.items():
        try:
            out[str(glob)] = _str_list(f"{key}.{glob}", selectors)
        except LintError as exc:
            raise _Invalid(str(exc), glob, *getattr(exc, "at", ())) from None
    return out


OFF = (None, False, "off")  # `".txt": off` (or null, false) stops linting a default extension


def _extensions(key: str, value: Any) -> dict[str, str]:
    """The default extensions with these added or changed (``ext: format``) or removed (``ext: off``)."""
    if isinstance(value, list):  # a plain list of extensions guesses the format from the known ones
        value = {ext: DEFAULT_EXTENSIONS.get(_dot(ext), "text") for ext in _str_list(key, value)}
    if not isinstance(value, dict):
        raise LintError(f"'{key}' must map extensions to a format ({', '.join(FORMATS)}) or to off")
    out = dict(DEFAULT_EXTENSIONS)
    for ext, fmt in value.items():
        if fmt in OFF:
            out.pop(_dot(str(ext)), None)
        elif fmt in FORMATS:
            out[_dot(str(ext))] = str(fmt)
        else:
            hint = did_you_mean(fmt, (*FORMATS, "off")) if isinstance(fmt, str) else ""
            message = (
                f"'{key}': format of {_echo(ext)} must be one of {', '.join(FORMATS)} or off, not {_echo(fmt)}{hint}"
            )
            raise _Invalid(message, ext)
    return out


_NAME = re.compile(r"[A-Za-z_$][\w$.:-]*")


def _names(defaults: tuple[str, ...]):
    """The ``defaults`` with more names added (a list, or ``name: on``) or removed (``name: off``)."""

    def check(key: str, value: Any) -> list[str]:
        if isinstance(value, list):  # (where a mistake is reported, name, state)
            items = [(index, name, True) for index, name in enumerate(_str_list(key, value))]
        elif isinstance(value, dict):
            items = [(name, name, state) for name, state in value.items()]
        else:
            raise LintError(f"'{key}' must be a list of names, or map names to on or off")
        out = dict.fromkeys(defaults, True)
        for at, name, state in items:
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise _Invalid(f"'{key}': {_echo(name)} is not a key or attribute name", at)
            if state in OFF:
                out.pop(name, None)
                for known in [k for k in out if key_name(k) == key_name(name)]:
                    out.pop(known)
            elif state in (True, "on"):
                out[name] = True
            else:
                raise _Invalid(f"'{key}': {_echo(name)} must be on or off, not {_echo(state)}", at)
        return list(out)

    return check


def _dot(ext: str) -> str:
    ext = ext.lower()
    return ext if ext.startswith(".") else "." + ext


def _jobs(key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise LintError(f"'{key}' must be a whole number (0 = one per core)")
    return value


MAX_TIMEOUT = 600.0  # seconds: a longer regex timeout is a mistake (.inf, 1e300), and nan would disable it
MAX_FILE_TIMEOUT = 86400.0


def validate_file_timeout(key: str, value: Any) -> float:
    """Seconds one file's check may take: a number from 0 (no limit) to a day (.inf and nan are mistakes)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= MAX_FILE_TIMEOUT:
        raise LintError(
            f"'{key}' must be a number of seconds from 0 (no limit) to {MAX_FILE_TIMEOUT:g}, not {_echo(value)}"
        )
    return float(value)


def _timeout(key: str, value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= MAX_TIMEOUT:
        raise LintError(f"'{key}' must be a positive number of seconds, at most {MAX_TIMEOUT:g}, not {_echo(value)}")
    return float(value)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?", re.I)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}


def _size(key: str, value: Any) -> int:
    """A size in bytes: a whole number, or text such as ``64MiB`` / ``100 MB``."""
    m = _SIZE.fullmatch(value.strip()) if isinstance(value, str) else None
    if m:
        value = float(m.group(1)) * _UNITS[(m.group(2) or "b").lower()]
    elif not isinstance(value, int) or isinstance(value, bool):
        raise LintError(f"'{key}' must be a size in bytes (a number, or such as 64MiB), not {_echo(value)}")
    if not 1 <= value <= 1 << 40:
        raise LintError(f"'{key}' must be from 1 byte to 1 TiB, not {_echo(value)}")
    return int(value)


def _echo(value: Any) -> str:
    from lint.safetext import echo  # never the whole value: it may be huge (an alias expanded, a long number)

    return echo(value)


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
    "waivers": ("waivers", _path),
    "jobs": ("jobs", _jobs),
    "regex-timeout": ("regex_timeout", _timeout),
    "file-timeout": ("file_timeout", validate_file_timeout),
    "max-file-size": ("max_file_size", _size),
    "front-matter-keys": ("front_matter_keys", _names(DEFAULT_FRONT_MATTER_KEYS)),
    "prose-attributes": ("prose_attributes", _names(DEFAULT_PROSE_ATTRIBUTES)),
}
CONFIG_KEYS = tuple(_KEYS)
assert {a for a, _ in _KEYS.values()} <= {f.name for f in fields(Config)}


def find_config(start: Path) -> Path | None:
    """The nearest .clinic-lint.yaml, or pyproject.toml with a [tool.clinic-lint] table, at or above start."""
    here = Path(os.path.abspath(start))
    while True:
        found = _config_in(here)
        if found is not None or here.parent == here:
            return found
        here = here.parent


def _config_in(directory: Path) -> Path | None:
    """The config file of ``directory`` itself: .clinic-lint.yaml, .clinic-lint.yml, then pyproject.toml with
    a [tool.clinic-lint] table."""
    for name in CONFIG_NAMES:
        if os.path.lexists(directory / name):  # a FIFO, device or dangling link too: loading it says why not
            return directory / name
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and _pyproject_table(pyproject) is not None:
        return pyproject
    return None


def load_config(path: Path | None) -> Config:
    """Settings from ``path`` (or defaults when None). Every mistake is reported at its line and column."""
    config = Config()
    if path is None:
        return config
    source = _shown(path)
    if path.name == "pyproject.toml":
        data = _pyproject_table(path)
        if data is None:
            raise LintError(f"{source}: no [tool.clinic-lint] table")
        spots = _toml_spots(path.read_text(encoding="utf-8", errors="replace"))
        where = Where(source, data, *spots.get("", (1, 1)))
    else:
        data = read_yaml(Path(source), "config")
        where = Where(source, data)
        spots = None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        where.fail("the config must be a mapping of settings")
    root = Path(os.path.abspath(path)).parent
    for key, value in data.items():
        key_at, value_at = _spots(where, data, key, spots)
        if key not in _KEYS:
            hint = did_you_mean(str(key), _KEYS) or f" (known: {', '.join(CONFIG_KEYS)})"
            key_at.fail(f"unknown key '{key}'{hint}")
        attr, check = _KEYS[key]
        try:
            setattr(config, attr, check(key, value))
        except LintError as exc:
            _inside(value_at, getattr(exc, "at", ())).fail(str(exc))
        _note_origin(config, key, value, value_at, root)
    config.packs = [os.path.normpath(root / p) for p in config.packs]  # one spelling per file: loaded once
    if config.baseline is not None:
        config.baseline = str(root / config.baseline)
    if config.waivers is not None:
        config.waivers = str(root / config.waivers)
    config.source, config.root = source, str(root)
    return config


def _shown(path: Path) -> str:
    """A config file as messages name it: as typed, or relative to the current directory when found inside it."""
    if not path.is_absolute():
        return str(path)
    try:
        rel = os.path.relpath(path, os.getcwd())
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _spots(where: Where, data: dict, key: Any, toml: dict | None) -> tuple[Where, Where]:
    """Where ``key`` and its value stand. YAML keeps every position; for pyproject.toml the key's line is all
    there is (tomllib keeps none), so items inside a value are reported there too."""
    if toml is None:
        return where.key(key, data), where.at(key, data)
    spot = Where(where.path, data[key], *toml.get(str(key), (where.line, where.column)))
    return spot, spot


def _inside(at: Where, path: tuple) -> Where:
    """The position of the part of a value a validator complained about (list indexes, mapping keys)."""
    for step in path:
        node = at.node
        if isinstance(node, list) and isinstance(step, int):
            at = at.item(step, node)
        elif isinstance(node, dict):
            at = at.at(step, node)
    return at


def _note_origin(config: Config, key: str, value: Any, at: Where, root: Path) -> None:
    """Remember where the ids of ``select``/``ignore``/``severity``/``per-path-ignores`` stand, for the messages
    about them once the packs are loaded; a ``packs`` file that does not exist is an error here and now."""
    if key in ("select", "ignore", "packs"):
        for index, item in enumerate(getattr(config, key)):
            spot = at.item(index, value) if isinstance(value, list) else at  # "a, b": one position for all
            if key == "packs" and not (root / item).exists():
                spot.fail(f"packs: no such pack file '{item}' (paths are relative to the config file)")
            config.origin.setdefault((key, item), str(spot))
    elif key == "severity":
        for item in value:
            config.origin.setdefault((key, str(item)), str(at.key(item, value)))
    elif key == "per-path-ignores":
        for glob, selectors in value.items():
            inner = at.at(glob, value)
            for index, item in enumerate(config.per_path_ignores[str(glob)]):
                spot = inner.item(index, selectors) if isinstance(selectors, list) else inner
                config.origin.setdefault((key, item), str(spot))


_TABLE = re.compile(
    r"""\s*\[\s*tool\s*\.\s*(?:"clinic-lint"|'clinic-lint'|clinic-lint)\s*(?:\.\s*("[^"]*"|'[^']*'|[\w-]+)\s*)?\]"""
)
_TOML_KEY = re.compile(r"""(\s*)("[^"]*"|'[^']*'|[\w-]+)\s*[=.]""")


def _toml_spots(text: str) -> dict[str, tuple[int, int]]:
    """(line, column) of each key of ``[tool.clinic-lint]`` ("" for the table itself), found by reading its
    lines: tomllib keeps no positions. A sub-table ``[tool.clinic-lint.severity]`` stands for its key."""
    spots: dict[str, tuple[int, int]] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("["):
            header = _TABLE.match(line)
            inside = header is not None and header.group(1) is None
            if header is not None:
                name = (header.group(1) or "").strip("\"'")
                spots.setdefault(name, (number, len(line) - len(line.lstrip()) + 1))
            continue
        key = _TOML_KEY.match(line) if inside else None
        if key is not None:
            spots.setdefault(key.group(2).strip("\"'"), (number, len(key.group(1)) + 1))
    return spots


def _pyproject_table(path: Path) -> dict | None:
    from lint.inputs import MAX_NESTING, deep_line, read_regular

    try:
        raw = read_regular(path)  # a regular file of bounded size: a FIFO or /dev/zero cannot hang the run
    except OSError as exc:
        raise LintError(f"{_shown(path)}: cannot read pyproject.toml: {exc.strerror or exc}") from None
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
    except RecursionError:
        text = raw.decode("utf-8", "replace")
        raise LintError(
            f"{_shown(path)}:{deep_line(text) or 1}: pyproject.toml nests deeper than {MAX_NESTING} levels"
        ) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):  # `tool = 3`: not the table every tool's settings live in
        raise LintError(f"{_shown(path)}:{_toml_line(raw, r'tool')}: 'tool' must be a table, not {_echo(tool)}")
    table = tool.get("clinic-lint")
    if table is not None and not isinstance(table, dict):
        raise LintError(
            f"{_shown(path)}:{_toml_line(raw, r'clinic-lint')}: 'tool.clinic-lint' must be a table, not {_echo(table)}"
        )
    return table


def _toml_line(raw: bytes, key: str) -> int:
    """The line where ``key`` is assigned (for messages: tomllib keeps no positions), else 1."""
    m = re.search(rf"^[ \t]*(?:tool[ \t]*\.[ \t]*)?[\"']?{key}[\"']?[ \t]*=", raw.decode("utf-8", "replace"), re.M)
    return raw.count(b"\n", 0, m.start()) + 1 if m else 1


def resolve(config_path: str | None, cwd: str | None = None) -> Config:
    """The settings of the current directory (or ``cwd``): ``--config`` if given, else the nearest config file,
    else defaults. (For commands that take no files; ``check`` asks a :class:`Resolver` per file.)"""
    if config_path is not None:
        path = Path(config_path)
        if not os.path.lexists(path):  # there but not a regular file: loading it says what it is
            raise LintError(f"{config_path}: config file not found")
        return load_config(path)
    return load_config(find_config(Path(cwd or os.getcwd())))


@dataclass
class Overrides:
    """What the command line sets, laid over the settings of every config file (the command line wins)."""

    values: dict[str, Any] = field(default_factory=dict)  # Config attribute -> value
    packs: list[str] = field(default_factory=list)  # --pack: added to the config's own packs

    def apply(self, config: Config) -> Config:
        origin = {k: v for k, v in config.origin.items() if k[0].replace("-", "_") not in self.values}
        return dataclasses.replace(config, **self.values, packs=[*config.packs, *self.packs], origin=origin)


class Resolver:
    """The settings each file is checked with, as ruff finds them: ``--config`` for every file when given, else
    the nearest config file at or above the file's directory (whatever the current directory), else the
    defaults; the command line laid over each. Each config file is read once, each directory looked up once."""

    def __init__(self, explicit: str | None = None, overrides: Overrides | None = None) -> None:
        self.overrides = overrides or Overrides()
        self.explicit = self.overrides.apply(resolve(explicit)) if explicit is not None else None
        self._dirs: dict[str, Config] = {}  # absolute directory -> the settings of its files
        self._files: dict[str | None, Config] = {}  # config file (None: none found) -> its settings

    def for_path(self, path: str) -> Config:
        """The settings of file ``path``, or of the files directly in directory ``path``. Standard input
        (``-``, or its ``--stdin-filename``) is looked up from the current directory like any relative path."""
        full = os.path.abspath(path)
        return self.for_dir(full if os.path.isdir(full) else os.path.dirname(full))

    def for_dir(self, directory: str) -> Config:
        """The settings of the files directly in ``directory``."""
        if self.explicit is not None:
            return self.explicit
        here = os.path.abspath(directory)
        walked = []
        while here not in self._dirs:
            walked.append(here)
            found = _config_in(Path(here))
            parent = os.path.dirname(here)
            if found is not None or parent == here:
                config = self._load(found)
                break
            here = parent
        else:
            config = self._dirs[here]
        for d in walked:
            self._dirs[d] = config
        return config

    def _load(self, path: Path | None) -> Config:
        key = None if path is None else str(path)
        if key not in self._files:
            self._files[key] = self.overrides.apply(load_config(path))
        return self._files[key]


# --------------------------------------------------------------------------- `clinic-lint config`


def provenance(config_path: str | None, target: str = ".") -> dict[str, Any]:
    """The settings a file (or the files of a directory) ``target`` is checked with, each with where it comes
    from: ``file:line:col`` of the key in the config file that sets it, or ``default``."""
    if config_path is not None:
        path: Path | None = Path(config_path)
        if not os.path.lexists(path):
            raise LintError(f"{config_path}: config file not found")
    else:
        full = os.path.abspath(target)
        path = find_config(Path(full if os.path.isdir(full) else os.path.dirname(full)))
    config = load_config(path)
    spots: dict[str, str] = {}
    if path is not None:
        source = _shown(path)
        if path.name == "pyproject.toml":
            data = _pyproject_table(path) or {}
            toml = _toml_spots(path.read_text(encoding="utf-8", errors="replace"))
            spots = {str(k): f"{source}:{toml[k][0]}:{toml[k][1]}" if k in toml else source for k in data}
        else:
            data = read_yaml(Path(source), "config") or {}
            where = Where(source, data)
            spots = {str(k): str(where.key(k, data)) for k in data}
    settings = {
        key: {"value": getattr(config, attr), "from": spots.get(key, "default")} for key, (attr, _) in _KEYS.items()
    }
    return {"path": target, "config": config.source, "settings": settings}
