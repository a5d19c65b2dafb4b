"""Reading the YAML the rule packs are made of, with a line and column for every mistake.

Every loader (packs, vocabularies, the indications knowledge, the context lexicon) reads through
:func:`read_yaml` and reports problems through a :class:`Where`, so a mistake is always one line
``file:line:column: what is wrong`` and exit code 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lint.model import LintError


class PackError(LintError):
    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")


MAX_VALUES = 100_000  # values a YAML file may stand for once its aliases are expanded


def read_yaml(path: Path, what: str = "pack") -> Any:
    from lint.inputs import NotRegular, TooLarge, read_text

    try:
        text = read_text(path)  # a regular file only, of bounded size: a FIFO or /dev/zero cannot hang the run
    except FileNotFoundError:
        if os.path.islink(path):
            raise LintError(f"{path}: cannot read {what}: a symbolic link to a file that does not exist") from None
        raise LintError(f"{path}: {what} not found") from None
    except (NotRegular, TooLarge) as exc:
        raise LintError(f"{path}: cannot read {what}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LintError(f"{path}: cannot read {what}: {exc}") from None
    from ruamel.yaml import YAML  # imported here: a run on the compiled-pack cache never parses YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise PackError(str(path), line, col, f"YAML syntax error: {problem}") from None
    except YAMLError as exc:
        raise PackError(str(path), 1, 1, f"YAML error: {str(exc).splitlines()[0]}") from None
    except RecursionError:  # the loader recurses per level: place the error with its (flat) event stream
        raise _too_deep(path, _deep_mark(text)) from None
    _check_size(str(path), data)
    return data


def _too_deep(path: Path | str, line: int) -> PackError:
    from lint.inputs import MAX_NESTING

    return PackError(str(path), line, 1, f"YAML nests deeper than {MAX_NESTING} levels")


def _deep_mark(text: str) -> int:
    """The line where the YAML first nests deeper than MAX_NESTING (1 when it cannot be found)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    from lint.inputs import MAX_NESTING

    depth = 0
    try:
        for event in YAML(typ="rt").parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    return event.start_mark.line + 1
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except Exception:  # noqa: BLE001 - only a line for the message is at stake
        pass
    return 1


def _check_size(path: str, data: Any) -> None:
    """Refuse YAML whose aliases expand to more than MAX_VALUES values ("billion laughs": ten lines can stand
    for a billion strings, which validating or printing would walk), that refers to itself, or that nests
    deeper than MAX_NESTING. The loader shares aliased values, so this walk is linear in the file."""
    from lint.inputs import MAX_NESTING

    sizes: dict[int, int] = {}  # id of a list or mapping -> values it stands for, aliases expanded
    open_: set[int] = set()  # the lists and mappings being walked: the ancestors of the current one
    stack: list[tuple[Any, int, bool]] = [(data, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        if done:
            open_.discard(id(node))
            sizes[id(node)] = total = 1 + sum(sizes.get(id(c), 1) for c in children)
            if total > MAX_VALUES:
                Where(path, node).fail(f"aliases expand this value to more than {MAX_VALUES:,} values")
            continue
        if id(node) in sizes:
            continue
        if depth > MAX_NESTING:
            raise _too_deep(path, Where(path, node).line)
        open_.add(id(node))
        stack.append((node, depth, True))
        for child in children:
            if isinstance(child, (dict, list)):
                if id(child) in open_:
                    Where(path, node).fail("an alias refers to a value that contains it")
                stack.append((child, depth + 1, False))


class Where:
    """Where a YAML node is, for error messages (ruamel keeps line/column on loaded containers)."""

    def __init__(self, path: str, node: Any, line: int = 1, column: int = 1) -> None:
        self.path, self.node, self.line, self.column = path, node, line, column
        lc = getattr(node, "lc", None)
        if lc is not None and line == 1 and column == 1 and isinstance(getattr(lc, "line", None), int):
            self.line, self.column = lc.line + 1, (lc.col or 0) + 1  # a bare scalar document has no position

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def at(self, key: Any, parent: Any) -> Where:
        """The position of ``parent[key]``'s value."""
        try:
            line, col = parent.lc.value(key)
        except (AttributeError, KeyError, TypeError):
            try:
                line, col = parent.lc.key(key)
            except (AttributeError, KeyError, TypeError):
                return Where(self.path, parent.get(key) if isinstance(parent, dict) else None, self.line, self.column)
        return Where(self.path, parent.get(key), line + 1, col + 1)

    def key(self, key: Any, parent: Any) -> Where:
        try:
            line, col = parent.lc.key(key)
        except (AttributeError, KeyError, TypeError):
            return self
        return Where(self.path, None, line + 1, col + 1)

    def item(self, index: int, parent: Any) -> Where:
        try:
            line, col = parent.lc.item(index)
        except (AttributeError, KeyError, TypeError, IndexError):
            return Where(self.path, parent[index], self.line, self.column)
        return Where(self.path, parent[index], line + 1, col + 1)

    def fail(self, message: str) -> Any:
        raise PackError(self.path, self.line, self.column, message)


def check_keys(where: Where, data: dict, allowed: Iterable[str], required: Iterable[str], what: str) -> None:
    allowed = set(allowed)
    for key in data:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed)
            where.key(key, data).fail(f"{what}: unknown key '{key}'{hint}")
    for key in required:
        if key not in data:
            where.fail(f"{what}: missing required key '{key}'")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the choice closest to a misspelt ``word``, or "" when none is close.
    Every "unknown ..." message uses it: pack and config keys, rule ids, categories, pack names, options
    and subcommands."""
    import difflib

    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


def string(where: Where, value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        where.fail(f"{what} must be a non-empty string")
    return unicode(where, str(value), what)


def unicode(where: Where, text: str, what: str) -> str:
    """YAML reads the escape "\\ud83d\\ude00" as two halves of a character: join them; a lone half is an error."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\ufffd" in joined and "\ufffd" not in text:
        where.fail(f"{what} holds an invalid \\u escape (half of a surrogate pair)")
    return joined


def string_list(where: Where, value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        where.fail(f"{what} must be a list of strings")
    for index, item in enumerate(value):
        string(where.item(index, value), item, f"{what}[{index}]")
    return [str(v) for v in value]


def mapping(where: Where, data: dict, key: str, message: str) -> tuple[dict, Where]:
    """``data[key]``, which must be a mapping (else ``message`` at its line), and where it stands."""
    value, at = data[key], where.at(key, data)
    if not isinstance(value, dict):
        at.fail(message)
    return value, at


def mapping_list(where: Where, value: Any, what: str, fields: str) -> list[tuple[Where, dict]]:
    """``value``, which must be a non-empty list of mappings each holding ``fields`` (``what`` names the
    list in messages), as (where the item stands, the item)."""
    if not isinstance(value, list) or not value:
        where.fail(f"{what} must be a non-empty list of {{{fields}}}")
    out = []
    for index, item in enumerate(value):
        at = where.item(index, value)
        if not isinstance(item, dict):
            at.fail(f"{what}[{index}] must be a mapping with {fields}")
        out.append((at, item))
    return out
