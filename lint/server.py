"""``clinic-lint server``: the language server (LSP over standard input and output), on pygls + lsprotocol.

Each open document is linted with the settings of the nearest config file at or above it, as ``check`` would
lint the file, and its findings are published as diagnostics: on open and save at once, on change after a
pause in typing (``--debounce``). Ranges point at the exact characters in the editor's own units (UTF-16
unless the client offers another: :mod:`lint.lsp_positions`). Code actions apply a rule's fix (or every
safe fix), insert an inline suppression with a reason to fill in, or add a missing disclaimer at the end of
the page; hovering a finding shows what ``clinic-lint explain`` prints.

A change to a config file or a rule pack (seen through watched-file events, a save in the editor, or its
modification time at the next lint) rebuilds the engine and re-lints every open document. Nothing a
half-typed document (or a broken config) does stops the server: the problem is logged, or shown once.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from lint import __version__
from lint.lsp_positions import Lines
from lint.model import Finding, LintError

SOURCE = "clinic-lint"
INFORMATION_URI = "https://pypi.org/project/clinic-lint/"
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
# an editor's language id -> the format linted, for documents whose name gives none (untitled buffers)
LANGUAGE_FORMATS = {"markdown": "markdown", "mdx": "mdx", "html": "html", "plaintext": "text", "text": "text"}
CONFIG_FILES = (".clinic-lint.yaml", ".clinic-lint.yml", "pyproject.toml")
WATCHED = ("**/.clinic-lint.yaml", "**/.clinic-lint.yml", "**/pyproject.toml", "**/*.yaml", "**/*.yml")

log = logging.getLogger("clinic-lint.server")


@dataclass
class Linted:
    """The last lint of one document version: what code actions and hovers answer from."""

    version: int | None
    text: str
    fmt: str
    lines: Lines
    findings: list[Finding]
    rule_set: Any


@dataclass
class _EngineEntry:
    signature: tuple
    engine: Any


@dataclass
class State:
    debounce: float
    engines: dict[str | None, _EngineEntry] = field(default_factory=dict)  # config file -> engine
    rule_sets: dict[tuple, Any] = field(default_factory=dict)  # (default packs, pack files) -> loaded rule set
    linted: dict[str, Linted] = field(default_factory=dict)  # uri -> last lint
    timers: dict[str, asyncio.TimerHandle] = field(default_factory=dict)  # uri -> pending debounced lint
    shown: set[str] = field(default_factory=set)  # messages already shown to the user (shown once)


class ClinicLintServer(LanguageServer):
    def __init__(self, debounce: float = 0.3) -> None:
        # full document sync: the client sends the whole text, so no incremental edit can be misapplied
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.state = State(debounce)

    # ------------------------------------------------------------------ settings and engines

    def encoding(self) -> str:
        enc = str(getattr(self.workspace, "position_encoding", None) or "utf-16")
        return enc if enc in ("utf-8", "utf-16", "utf-32") else "utf-16"

    def root(self) -> str:
        root = getattr(self.workspace, "root_path", None)
        return root or os.getcwd()

    def engine_for(self, path: str):
        """The engine for a document at ``path``: the nearest config file's settings, rebuilt when that file
        or one of its packs has changed since."""
        from lint.config import find_config, load_config
        from lint.engine import build_engine, load_rule_set

        config_path = find_config(Path(path).parent)
        key = None if config_path is None else str(config_path)
        entry = self.state.engines.get(key)
        config_stamp = _stamp(key)
        if entry is not None and entry.signature[0] == config_stamp:
            packs_now = tuple(_stamp(p) for p in entry.engine.config.packs)
            if entry.signature[1] == packs_now:
                return entry.engine
        config = load_config(config_path)
        packs_now = tuple(_stamp(p) for p in config.packs)
        rule_set_key = (config.default_packs, packs_now, config.cache)
        rule_set = self.state.rule_sets.get(rule_set_key)  # a config edit (ignore, severity) keeps the packs
        if rule_set is None:
            rule_set = load_rule_set(config, (), self.compiling)
            self.state.rule_sets[rule_set_key] = rule_set
        engine = build_engine(config, rule_set=rule_set)
        self.state.engines[key] = _EngineEntry((config_stamp, packs_now), engine)
        return engine

    def compiling(self) -> None:
        self.tell("clinic-lint: compiling rule packs (once after an install or a pack change)...", info=True)

    def forget_engines(self) -> None:
        self.state.engines.clear()
        self.state.rule_sets.clear()

    def tell(self, message: str, *, info: bool = False) -> None:
        """Show ``message`` once per session (a broken config is not repeated at every keystroke); log it always."""
        kind = types.MessageType.Info if info else types.MessageType.Warning
        self.window_log_message(types.LogMessageParams(type=kind, message=message))
        if message not in self.state.shown:
            self.state.shown.add(message)
            self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    # ------------------------------------------------------------------ linting

    def schedule(self, uri: str, delay: float) -> None:
        """Lint ``uri`` after ``delay`` seconds, unless another change comes first (debounce)."""
        pending = self.state.timers.pop(uri, None)
        if pending is not None:
            pending.cancel()
        if delay <= 0:
            self.lint(uri)
            return
        loop = asyncio.get_running_loop()
        self.state.timers[uri] = loop.call_later(delay, self.lint, uri)

    def lint(self, uri: str) -> None:
        self.state.timers.pop(uri, None)
        try:
            doc = self.workspace.get_text_document(uri)
            linted = self.lint_text(doc.path if uri.startswith("file:") else None, doc.source, doc.language_id)
        except LintError as exc:  # a config or pack error: say so, keep the last diagnostics
            self.tell(f"clinic-lint: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server; the traceback goes to its log
            log.exception("linting %s failed", uri)
            self.tell(f"clinic-lint: internal error while linting: {type(exc).__name__}: {exc}")
            return
        if linted is None:
            self.state.linted.pop(uri, None)
            self.publish(uri, None, [])
            return
        linted.version = doc.version
        self.state.linted[uri] = linted
        self.publish(uri, doc.version, [diagnostic(f, linted, uri) for f in linted.findings])

    def lint_text(self, path: str | None, text: str, language_id: str | None) -> Linted | None:
        """Lint one document's text; None when it is not a format clinic-lint lints (or is excluded)."""
        from lint import runner
        from lint.decode import SourceText
        from lint.extract import format_for

        path = path or os.path.join(self.root(), "untitled")
        engine = self.engine_for(path)
        config = engine.config
        fmt = format_for(path, config.extensions) or LANGUAGE_FORMATS.get(language_id or "")
        if fmt is None or fmt == "docx" or _excluded(path, config):
            return None
        newline = "\r\n" if "\r\n" in text else "\n"
        result = runner.lint_source(SourceText(text, "utf-8", b"", newline), path, fmt, engine)
        for message in result.errors:  # a rule that timed out: the rest of the findings still stand
            self.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=message))
        return Linted(None, text, fmt, Lines(text, self.encoding()), result.findings, engine.rule_set)

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def relint_all(self) -> None:
        self.forget_engines()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)


# --------------------------------------------------------------------------- diagnostics


def _stamp(path: str | None) -> tuple:
    if path is None:
        return ()
    try:
        st = os.stat(path)
    except OSError:
        return (path, None)
    return (path, st.st_mtime_ns, st.st_size)


def _excluded(path: str, config) -> bool:
    """Whether ``check`` would leave the document out when walking its config's directory: its own name or
    a directory on the way to it matches an ``exclude`` glob (the test lint/discover.py applies)."""
    from lint.discover import _excluded as excluded_by_glob

    if not config.exclude or config.root is None:
        return False
    try:
        rel = os.path.relpath(os.path.abspath(path), config.root)
    except ValueError:  # another drive
        return False
    parts = rel.split(os.sep)
    if parts[0] == "..":  # not below its config's directory: only its own name counts
        return excluded_by_glob(path, config)
    return any(excluded_by_glob(os.path.join(config.root, *parts[:n]), config) for n in range(len(parts), 0, -1))


def lsp_range(lines: Lines, start: int, end: int) -> types.Range:
    (l1, c1), (l2, c2) = lines.position(start), lines.position(end)
    return types.Range(start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2))


def rule_url(rule) -> str:
    refs = getattr(rule, "references", None) or ()
    return refs[0].url if refs else INFORMATION_URI


def diagnostic(f: Finding, linted: Linted, uri: str) -> types.Diagnostic:
    rule = _rule(linted.rule_set, f.rule)
    message = f"{f.message}\nSuggestion: {f.suggestion}" if f.suggestion else f.message
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=uri, range=lsp_range(linted.lines, r["start"], r["end"])),
            message=f"{r['rule']}: {r['message']}",
        )
        for r in f.related
    ]
    return types.Diagnostic(
        range=lsp_range(linted.lines, f.start, f.end),
        severity=SEVERITY[f.severity],
        code=f.rule,
        code_description=types.CodeDescription(href=rule_url(rule)),
        source=SOURCE,
        message=message,
        related_information=related or None,
        data={"rule": f.rule, "start": f.start, "end": f.end},
    )


def _rule(rule_set, rule_id: str):
    for pack in rule_set.packs:
        for rule in pack.rules:
            if rule.id == rule_id:
                return rule
    return None


# --------------------------------------------------------------------------- code actions


def overlapping(linted: Linted, rng: types.Range) -> list[Finding]:
    start = linted.lines.offset(rng.start.line, rng.start.character)
    end = linted.lines.offset(rng.end.line, rng.end.character)
    return [f for f in linted.findings if f.start <= end and f.end >= start]


def _edit(uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits
            )
        ]
    )


def fix_action(f: Finding, linted: Linted, uri: str) -> types.CodeAction | None:
    from lint.fix import match_case

    if f.fix is None or f.end <= f.start:
        return None
    replacement = match_case(f.match, f.fix.replacement)
    kind = "" if f.fix.safe else " (unsafe: check the result)"
    return types.CodeAction(
        title=f'Replace "{f.match}" with "{replacement}" ({f.rule}){kind}',
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic(f, linted, uri)],
        is_preferred=f.fix.safe,
        edit=_edit(
            uri, linted.version, [types.TextEdit(range=lsp_range(linted.lines, f.start, f.end), new_text=replacement)]
        ),
    )


def fix_all_action(linted: Linted, uri: str) -> types.CodeAction | None:
    from lint.fix import choose, edits_for

    edits = choose(edits_for(linted.findings, unsafe=False))
    if not edits:
        return None
    text_edits = [types.TextEdit(range=lsp_range(linted.lines, e.start, e.end), new_text=e.replacement) for e in edits]
    return types.CodeAction(
        title=f"Apply every safe clinic-lint fix ({len(edits)})",
        kind=types.CodeActionKind.SourceFixAll + ".clinic-lint",
        edit=_edit(uri, linted.version, text_edits),
    )


# A Markdown line after which a comment line starts a block of its own without changing the page: a
# heading, a fence, a thematic break or setext underline, front matter's end, raw HTML.
_ENDS_BLOCK = re.compile(r"\s*(#{1,6}(\s|$)|```|~~~|-{3,}\s*$|\*{3,}\s*$|={3,}\s*$|<)")


def _comment(fmt: str, directive: str) -> str:
    """``directive`` in the comment syntax of the format (lint/suppress.py)."""
    if fmt == "text":
        return directive
    return "{/* " + directive + " */}" if fmt == "mdx" else f"<!-- {directive} -->"


def _before_line(text: str, fmt: str, offset: int, directive: str) -> tuple[int, str]:
    """Where to insert ``directive`` so that it stands just before the line holding ``offset``, and the text
    to insert: a line of its own, except in the middle of a Markdown paragraph, where a comment line would
    split the paragraph in two when rendered; there it goes at the end of the previous line (an inline
    comment, invisible), where ``disable-next-line`` still names the line after it."""
    newline = "\r\n" if "\r\n" in text else "\n"
    line_start = text.rfind("\n", 0, offset) + 1
    line = text[line_start:].split("\n", 1)[0]
    indent = line[: len(line) - len(line.lstrip())]
    comment = _comment(fmt, directive)
    if fmt in ("markdown", "mdx") and line_start > 0:
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        prev = text[prev_start : line_start - 1].rstrip("\r")
        if prev.strip() and not _ENDS_BLOCK.match(prev):
            return prev_start + len(prev.rstrip()), " " + comment
    return line_start, indent + comment + newline


def _tag_end(text: str, lt: int) -> int:
    """The offset of the ``>`` closing the tag that opens at ``lt`` (quoted attribute values skipped), or -1."""
    quote = ""
    for i in range(lt + 1, len(text)):
        c = text[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == ">":
            return i
    return -1


def _open_tag(text: str, fmt: str, f: Finding) -> tuple[int, int] | None:
    """(start, end) of a markup tag that begins on an earlier line and is still open where the finding's
    line starts (the finding is in one of its attributes): a comment there would land inside the tag."""
    if fmt not in ("html", "markdown", "mdx"):
        return None
    line_start = text.rfind("\n", 0, f.start) + 1
    lt = text.rfind("<", 0, line_start)
    if lt < 0 or not text[lt + 1 : lt + 2].isalpha():
        return None
    gt = _tag_end(text, lt)  # a tag closed before the finding's line gives gt < f.start
    return (lt, gt) if gt >= f.end else None


_SUPPRESSION_KIND = {"on this line": "disable-next-line", "in this file": "disable-file", "in this tag": "disable"}


def suppression_edits(text: str, fmt: str, f: Finding) -> tuple[str, list[tuple[int, str]]]:
    """What a suppression of ``f`` covers, and the insertions (offset, text) that make it, in the comment
    syntax of the format. Usually a ``disable-next-line`` directive before the finding's line. No comment
    can stand inside front matter (it must stay valid YAML or TOML) or inside a tag, so a finding in the
    front matter gets a ``disable-file`` directive just after it, and one in a tag's attribute spanning lines
    a ``disable`` before the tag and an ``enable`` right after it."""
    from lint.extract import frontmatter
    from lint.suppress import REASON_PLACEHOLDER

    newline = "\r\n" if "\r\n" in text else "\n"
    reason = f"-- {REASON_PLACEHOLDER}"
    if fmt in ("html", "markdown", "mdx"):
        body = frontmatter.parse(text, frozenset()).body_start
        if f.start < body:
            lead = "" if text[body - 1 : body] == "\n" else newline
            directive = _comment(fmt, f"clinic-lint-disable-file {f.rule} {reason}")
            return "in this file", [(body, lead + directive + newline)]
    tag = _open_tag(text, fmt, f)
    if tag is not None:
        before = _before_line(text, fmt, tag[0], f"clinic-lint-disable {f.rule} {reason}")
        return "in this tag", [before, (tag[1] + 1, _comment(fmt, f"clinic-lint-enable {f.rule}"))]
    return "on this line", [_before_line(text, fmt, f.start, f"clinic-lint-disable-next-line {f.rule} {reason}")]


def suppress_action(f: Finding, linted: Linted, uri: str) -> types.CodeAction:
    scope, inserts = suppression_edits(linted.text, linted.fmt, f)
    edits = [types.TextEdit(range=lsp_range(linted.lines, at, at), new_text=insert) for at, insert in inserts]
    return types.CodeAction(
        title=f"Suppress {f.rule} {scope} (clinic-lint-{_SUPPRESSION_KIND[scope]}, with a reason to fill in)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic(f, linted, uri)],
        edit=_edit(uri, linted.version, edits),
    )


_QUOTED = re.compile(r'"([^"]{12,})"')
_EXAMPLE = re.compile(r"(e\.g\.|for example|such as|like)[\s,:]*$", re.I)


def disclaimer_text(rule) -> str | None:
    """The sentence a document rule asks the page to add: the first quoted passage of its suggestion, unless
    it is only an example ("e.g. "Ketamine is ...""), which the writer must adapt."""
    if rule is None or getattr(rule, "scope", "") != "document":
        return None
    m = _QUOTED.search(rule.suggestion)
    if m is None or _EXAMPLE.search(rule.suggestion[: m.start()]):
        return None
    return m.group(1).strip()


def disclaimer_insert(text: str, fmt: str, sentence: str) -> tuple[int, str]:
    """Where and what to insert to add ``sentence`` as the page's last paragraph."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if fmt == "html":
        paragraph = f"<p>{html.escape(sentence, quote=False)}</p>{newline}"
        body_end = text.lower().rfind("</body>")
        if body_end >= 0:
            return body_end, paragraph
        return len(text), ("" if not text or text.endswith("\n") else newline) + paragraph
    if not text.strip():
        return len(text), sentence + newline
    gap = "" if text.endswith(newline * 2) else newline if text.endswith("\n") else newline * 2
    return len(text), gap + sentence + newline


def disclaimer_action(f: Finding, linted: Linted, uri: str) -> types.CodeAction | None:
    sentence = disclaimer_text(_rule(linted.rule_set, f.rule))
    if sentence is None:
        return None
    offset, insert = disclaimer_insert(linted.text, linted.fmt, sentence)
    at = lsp_range(linted.lines, offset, offset)
    short = sentence if len(sentence) <= 60 else sentence[:57] + "..."
    return types.CodeAction(
        title=f'Add "{short}" at the end of the page ({f.rule})',
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic(f, linted, uri)],
        is_preferred=True,
        edit=_edit(uri, linted.version, [types.TextEdit(range=at, new_text=insert)]),
    )


def code_actions(linted: Linted, uri: str, rng: types.Range, only: list[str] | None) -> list[types.CodeAction]:
    actions: list[types.CodeAction] = []
    for f in overlapping(linted, rng):
        for make in (fix_action, disclaimer_action, suppress_action):
            action = make(f, linted, uri)
            if action is not None:
                actions.append(action)
    fix_all = fix_all_action(linted, uri)
    if fix_all is not None:
        actions.append(fix_all)
    if only:
        actions = [a for a in actions if any(a.kind == k or str(a.kind).startswith(k + ".") for k in only)]
    return actions


# --------------------------------------------------------------------------- hover


def hover_text(f: Finding, rule_set) -> str:
    from lint.explain import explain
    from lint.suppress import TOOL_RULES

    if f.rule in TOOL_RULES:
        short, todo = TOOL_RULES[f.rule]
        body = f"{short}\n\n{todo}"
    else:
        try:
            body = explain(f.rule, rule_set)
        except LintError:
            body = f.message
    return f"**clinic-lint: {f.rule}** ({f.severity})\n\n```text\n{body.rstrip()}\n```"


# --------------------------------------------------------------------------- the protocol


def build(debounce: float = 0.3) -> ClinicLintServer:
    server = ClinicLintServer(debounce)

    @server.feature(types.INITIALIZE)
    def initialize(ls: ClinicLintServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce"), (int, float)):
            ls.state.debounce = float(options["debounce"])

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ClinicLintServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watch = getattr(caps, "did_change_watched_files", None) if caps else None
        if watch is not None and watch.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=g) for g in WATCHED]
            registration = types.Registration(
                id="clinic-lint-config-watch",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
            except Exception:  # noqa: BLE001 - without watchers, modification times still catch changes
                log.warning("the client refused file watchers")

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ClinicLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ClinicLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.state.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ClinicLintServer, params: types.DidSaveTextDocumentParams) -> None:
        name = os.path.basename(params.text_document.uri)
        if name in CONFIG_FILES or name.endswith((".yaml", ".yml")):
            ls.relint_all()  # a config or a pack: every open document may lint differently now
        else:
            ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ClinicLintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.state.timers.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.state.linted.pop(uri, None)
        ls.publish(uri, None, [])

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: ClinicLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.relint_all()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll + ".clinic-lint"]
        ),
    )
    def code_action(ls: ClinicLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        linted = ls.state.linted.get(params.text_document.uri)
        if linted is None:
            return []
        try:
            return code_actions(linted, params.text_document.uri, params.range, params.context.only)
        except Exception:  # noqa: BLE001 - no action rather than a failed request
            log.exception("code actions failed")
            return []

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ClinicLintServer, params: types.HoverParams) -> types.Hover | None:
        linted = ls.state.linted.get(params.text_document.uri)
        if linted is None:
            return None
        at = linted.lines.offset(params.position.line, params.position.character)
        hits = [f for f in linted.findings if f.start <= at < max(f.end, f.start + 1)]
        if not hits:
            return None
        parts = [hover_text(f, linted.rule_set) for f in hits]
        first = hits[0]
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)),
            range=lsp_range(linted.lines, first.start, first.end),
        )

    return server


def main(debounce: float = 0.3) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="clinic-lint server: %(message)s")
    build(debounce).start_io()
    return 0
