"""The language server, end to end: a real LSP client (pygls's) spawns ``python -m lint server``, initializes
it, opens documents, receives diagnostics, asks for code actions and hovers, applies the edits it gets and
checks the server's answer to the edited text. Positions are checked in UTF-16 code units computed here
independently of the server's own conversion."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from lint.cli import main
from lint.lsp_positions import Lines

POST = (
    "# Ketamine care 😀\n"
    "\n"
    "Our ketamine infusions are 😀 completely safe and really help.\n"
    "Ketamine is a Category III drug.\n"
)
TIMEOUT = 120  # the first lint of a session may compile the rule packs


# --------------------------------------------------------------------------- a small test client


def utf16_col(line: str, index: int) -> int:
    return len(line[:index].encode("utf-16-le")) // 2


def where(text: str, phrase: str) -> tuple[int, int, int]:
    """(line, UTF-16 start column, UTF-16 end column) of ``phrase``, computed without the server's code."""
    for number, line in enumerate(text.split("\n")):
        i = line.find(phrase)
        if i >= 0:
            return number, utf16_col(line, i), utf16_col(line, i + len(phrase))
    raise AssertionError(phrase)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with LSP text edits applied (UTF-16 columns, ``\\n`` lines), last first."""
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        before = sum(len(line) + 1 for line in lines[: pos.line])
        line, units, i = lines[pos.line], 0, 0
        while i < len(line) and units < pos.character:
            units += len(line[i].encode("utf-16-le")) // 2
            i += 1
        return before + i

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
        lines = text.split("\n")
    return text


class Session:
    """One server process and the client talking to it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client = LanguageClient("clinic-lint-tests", "1")
        self.published: dict[str, asyncio.Queue] = {}
        self.messages: list[str] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.queue(params.uri).put_nowait(params)

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def _shown(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def _logged(params: types.LogMessageParams) -> None:
            self.messages.append(params.message)

    def queue(self, uri: str) -> asyncio.Queue:
        return self.published.setdefault(uri, asyncio.Queue())

    async def start(self, encodings: list[str] | None = None, options: dict | None = None) -> types.InitializeResult:
        await self.client.start_io(sys.executable, "-m", "lint", "server", cwd=str(self.root))
        general = types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None
        caps = types.ClientCapabilities(general=general)
        params = types.InitializeParams(
            capabilities=caps, root_uri=self.root.as_uri(), process_id=None, initialization_options=options
        )
        result = await asyncio.wait_for(self.client.initialize_async(params), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return result

    async def stop(self) -> None:
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        await self.client.stop()

    def uri(self, name: str) -> str:
        return (self.root / name).as_uri()

    def open(self, name: str, text: str, language: str = "markdown", version: int = 1) -> str:
        uri = self.uri(name)
        item = types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        doc = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
        change = types.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=doc, content_changes=[change])
        )

    async def diagnostics(self, uri: str) -> types.PublishDiagnosticsParams:
        return await asyncio.wait_for(self.queue(uri).get(), TIMEOUT)

    async def actions(self, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
        return await asyncio.wait_for(self.client.text_document_code_action_async(params), TIMEOUT) or []

    async def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        params = types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
        return await asyncio.wait_for(self.client.text_document_hover_async(params), TIMEOUT)


def run_session(root: Path, scenario, **start) -> None:
    async def go() -> None:
        session = Session(root)
        await session.start(**start)
        try:
            await scenario(session)
        finally:
            await session.stop()

    asyncio.run(go())


def by_rule(params: types.PublishDiagnosticsParams) -> dict[str, types.Diagnostic]:
    return {d.code: d for d in params.diagnostics}


def edits_of(action: types.CodeAction) -> list[types.TextEdit]:
    return [e for change in action.edit.document_changes for e in change.edits]


# --------------------------------------------------------------------------- diagnostics


def test_diagnostics_on_open_with_exact_utf16_ranges(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("post.md", POST)
        params = await s.diagnostics(uri)
        assert params.version == 1
        found = by_rule(params)
        safe = found["absolute-safety"]
        line, start, end = where(POST, "completely safe")
        assert (safe.range.start.line, safe.range.start.character) == (line, start)  # after an emoji: +2 units
        assert (safe.range.end.line, safe.range.end.character) == (line, end)
        assert safe.severity == types.DiagnosticSeverity.Error and safe.source == "clinic-lint"
        assert safe.code_description.href.startswith("https://")
        assert "Suggestion:" in safe.message
        schedule = found["schedule-category-misnomer"]
        assert (schedule.range.start.line, schedule.range.start.character) == where(POST, "Category III drug")[:2]
        disclaimer = found["missing-medical-disclaimer"]
        assert disclaimer.severity == types.DiagnosticSeverity.Warning

    run_session(tmp_path, scenario)


def test_utf8_positions_when_the_client_prefers_them(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("post.md", POST)
        safe = by_rule(await s.diagnostics(uri))["absolute-safety"]
        line = POST.split("\n")[2]
        assert safe.range.start.character == len(line[: line.index("completely")].encode("utf-8"))

    async def check_encoding(s: Session) -> None:
        await scenario(s)

    async def go() -> None:
        s = Session(tmp_path)
        result = await s.start(encodings=["utf-8", "utf-16"])
        assert result.capabilities.position_encoding == "utf-8"
        try:
            await check_encoding(s)
        finally:
            await s.stop()

    asyncio.run(go())


def test_other_formats_and_closing(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        html_text = "<html><body>\n<p>Our clinic says it is completely safe.</p>\n</body></html>\n"
        uri = s.open("page.html", html_text, "html")
        assert "absolute-safety" in by_rule(await s.diagnostics(uri))
        code = s.open("notes.py", "RISK = 'completely safe'\n", "python")
        assert list((await s.diagnostics(code)).diagnostics) == []  # not a format clinic-lint lints
        # an unsaved buffer has no file name: its language says the format
        item = types.TextDocumentItem(uri="untitled:Untitled-1", language_id="markdown", version=1,
                                      text="It is **completely safe**.\n")  # fmt: skip
        s.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        safe = by_rule(await s.diagnostics("untitled:Untitled-1"))["absolute-safety"]
        assert (safe.range.start.character, safe.range.end.character) == (8, 23)  # inside the ** markers
        s.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert list((await s.diagnostics(uri)).diagnostics) == []

    run_session(tmp_path, scenario)


# --------------------------------------------------------------------------- code actions and hover


def test_code_action_applies_a_rules_fix(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("post.md", POST)
        diagnostic = by_rule(await s.diagnostics(uri))["schedule-category-misnomer"]
        actions = await s.actions(uri, diagnostic)
        fix = next(a for a in actions if a.title.startswith("Replace"))
        assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
        fixed = apply_edits(POST, edits_of(fix))
        assert "Ketamine is a Schedule III drug." in fixed
        s.change(uri, fixed, 2)
        after = await s.diagnostics(uri)
        assert after.version == 2 and "schedule-category-misnomer" not in by_rule(after)
        fix_all = next(a for a in actions if a.kind == "source.fixAll.clinic-lint")
        assert "Schedule III drug" in apply_edits(POST, edits_of(fix_all))

    run_session(tmp_path, scenario)


def test_code_action_inserts_a_suppression_with_a_reason_to_fill_in(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("post.md", POST)
        diagnostic = by_rule(await s.diagnostics(uri))["schedule-category-misnomer"]
        action = next(a for a in await s.actions(uri, diagnostic) if a.title.startswith("Suppress"))
        suppressed = apply_edits(POST, edits_of(action))
        # mid-paragraph: an inline comment at the end of the line before (a comment line would split the
        # paragraph when the page is rendered)
        assert (
            POST.split("\n")[2] + " <!-- clinic-lint-disable-next-line schedule-category-misnomer -- <reason> -->"
            in suppressed
        )
        s.change(uri, suppressed, 2)
        found = by_rule(await s.diagnostics(uri))
        assert "schedule-category-misnomer" not in found
        assert "suppression-missing-reason" in found  # until the placeholder is replaced
        explained = suppressed.replace("<reason>", "quoting the 1970 label")
        s.change(uri, explained, 3)
        found = by_rule(await s.diagnostics(uri))
        assert "schedule-category-misnomer" not in found and "suppression-missing-reason" not in found

    run_session(tmp_path, scenario)


def test_suppression_in_plain_text_is_a_line_of_its_own(tmp_path: Path) -> None:
    text = "Ketamine is a Category III drug.\n"

    async def scenario(s: Session) -> None:
        uri = s.open("post.txt", text, "plaintext")
        diagnostic = by_rule(await s.diagnostics(uri))["schedule-category-misnomer"]
        action = next(a for a in await s.actions(uri, diagnostic) if a.title.startswith("Suppress"))
        suppressed = apply_edits(text, edits_of(action))
        assert suppressed.startswith("clinic-lint-disable-next-line schedule-category-misnomer -- <reason>\n")
        s.change(uri, suppressed.replace("<reason>", "a quotation"), 2)
        assert "schedule-category-misnomer" not in by_rule(await s.diagnostics(uri))

    run_session(tmp_path, scenario)


def test_suppressions_never_land_inside_front_matter_or_a_tag(tmp_path: Path) -> None:
    from html.parser import HTMLParser

    from ruamel.yaml import YAML

    post = "---\ntitle: Completely safe ketamine care\n---\n\nWe are open on Mondays.\n"
    page = '<html><body>\n<p>See <img src="a.png"\n  alt="It is completely safe > anything"\n  width="3"> here.</p>\n</body></html>\n'

    def alts(text: str) -> list[str]:
        found = []

        class Images(HTMLParser):
            def handle_starttag(self, tag, attrs):
                found.extend(v for k, v in attrs if k == "alt")

        Images().feed(text)
        return found

    async def suppress(s: Session, name: str, text: str, language: str) -> str:
        uri = s.open(name, text, language)
        diagnostic = by_rule(await s.diagnostics(uri))["absolute-safety"]
        action = next(a for a in await s.actions(uri, diagnostic) if a.title.startswith("Suppress absolute-safety"))
        edited = apply_edits(text, edits_of(action))
        s.change(uri, edited, 2)
        found = by_rule(await s.diagnostics(uri))
        assert "absolute-safety" not in found and "suppression-missing-reason" in found, (name, edited)
        return edited

    async def scenario(s: Session) -> None:
        edited = await suppress(s, "post.md", post, "markdown")
        matter = edited.split("---\n")[1]  # still valid YAML, unchanged; the directive follows it
        assert YAML(typ="safe", pure=True).load(matter) == {"title": "Completely safe ketamine care"}
        assert "\n---\n<!-- clinic-lint-disable-file absolute-safety -- <reason> -->\n" in edited
        edited = await suppress(s, "page.html", page, "html")
        assert alts(edited) == alts(page) == ["It is completely safe > anything"]  # the attribute is untouched
        assert "<!-- clinic-lint-enable absolute-safety --> here." in edited

    run_session(tmp_path, scenario, options={"debounce": 0})


def test_code_action_adds_the_missing_disclaimer_at_the_end(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("post.md", POST)
        diagnostic = by_rule(await s.diagnostics(uri))["missing-medical-disclaimer"]
        action = next(a for a in await s.actions(uri, diagnostic) if a.title.startswith("Add"))
        added = apply_edits(POST, edits_of(action))
        assert added.startswith(POST) and added.endswith(
            "Please talk to your own clinician before you start any treatment.\n"
        )
        assert "\n\nThis page is general information, not medical advice." in added  # a paragraph of its own
        s.change(uri, added, 2)
        assert "missing-medical-disclaimer" not in by_rule(await s.diagnostics(uri))

    run_session(tmp_path, scenario)


def test_hover_shows_what_explain_prints(tmp_path: Path, capsys) -> None:
    assert main(["explain", "absolute-safety"]) == 0
    explained = capsys.readouterr().out

    async def scenario(s: Session) -> None:
        uri = s.open("post.md", POST)
        safe = by_rule(await s.diagnostics(uri))["absolute-safety"]
        hover = await s.hover(uri, safe.range.start.line, safe.range.start.character + 3)
        assert hover is not None and hover.range == safe.range
        assert explained.strip().splitlines()[0] in hover.contents.value
        assert "Authority:" in hover.contents.value
        assert await s.hover(uri, 0, 0) is None or "absolute-safety" not in (await s.hover(uri, 0, 0)).contents.value

    run_session(tmp_path, scenario)


# --------------------------------------------------------------------------- robustness, debounce, config


HALF_TYPED = [
    "",
    "<",
    "<!-- clinic-lint-disable-next-line",
    "<!-- clinic-lint-enable absolute-safety -->\n",
    "```\nunclosed fence, completely safe",
    "---\ntitle: [unclosed\n",
    "<div><p>completely safe <a href='",
    "[link](http://",
    "\ud83d",  # half of a surrogate pair, as a buggy client may send
    "\x00\x01 completely safe \ufffd",
    "| a | b |\n|---|\n| completely safe",
    "# " + "cure " * 2000,
]


def test_half_typed_documents_never_stop_the_server(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("draft.md", "Hello.")
        await s.diagnostics(uri)
        for version, text in enumerate(HALF_TYPED, start=2):
            s.change(uri, text, version)
            params = await s.diagnostics(uri)
            assert params.version == version
        s.change(uri, "It is completely safe.\n", 100)
        params = await s.diagnostics(uri)
        assert params.version == 100 and "absolute-safety" in by_rule(params)

    run_session(tmp_path, scenario, options={"debounce": 0})


def test_keystrokes_are_debounced(tmp_path: Path) -> None:
    async def scenario(s: Session) -> None:
        uri = s.open("post.md", "Hello.")
        await s.diagnostics(uri)
        typed = "It is completely safe."
        for i in range(1, len(typed) + 1):  # one change per keystroke, faster than the debounce
            s.change(uri, typed[:i], i + 1)
            await asyncio.sleep(0.01)
        params = await s.diagnostics(uri)
        assert params.version == len(typed) + 1  # one lint, of the last version
        assert "absolute-safety" in by_rule(params)
        await asyncio.sleep(1.0)
        assert s.queue(uri).empty()  # and no other

    run_session(tmp_path, scenario, options={"debounce": 0.4})


def test_nearest_config_and_reload_on_change(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    config = tmp_path / "archive" / ".clinic-lint.yaml"
    config.write_text("ignore: [absolute-safety]\n", encoding="utf-8")
    text = "It is completely safe. Ketamine is a Category III drug.\n"

    async def scenario(s: Session) -> None:
        top = s.open("post.md", text)
        inner = s.open("archive/old.md", text)
        assert "absolute-safety" in by_rule(await s.diagnostics(top))
        found = by_rule(await s.diagnostics(inner))
        assert "absolute-safety" not in found and "schedule-category-misnomer" in found
        # the config changes on disk; the editor says so (watched files): every open document is re-linted
        config.write_text("ignore: [schedule-category-misnomer]\n", encoding="utf-8")
        change = types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)
        s.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
        relinted = {}
        for _ in range(2):
            for uri in (top, inner):
                if not s.queue(uri).empty() or uri not in relinted:
                    relinted[uri] = by_rule(await s.diagnostics(uri))
        assert "absolute-safety" in relinted[inner] and "schedule-category-misnomer" not in relinted[inner]
        assert "schedule-category-misnomer" in relinted[top]
        # ... and without a watched-file event, the next lint sees the file's new modification time
        config.write_text("ignore: [absolute-safety, schedule-category-misnomer]\n", encoding="utf-8")
        s.change(inner, text + "\n", 2)
        found = by_rule(await s.diagnostics(inner))
        assert "absolute-safety" not in found and "schedule-category-misnomer" not in found

    run_session(tmp_path, scenario, options={"debounce": 0})


def test_excluded_documents_are_left_alone_as_check_leaves_them(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / ".clinic-lint.yaml").write_text("exclude: [drafts, '*.tmp.md']\n", encoding="utf-8")
    (tmp_path / "drafts" / "2026").mkdir(parents=True)
    text = "It is completely safe.\n"
    for name in ("post.md", "drafts/2026/post.md", "notes.tmp.md"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "--format", "json", "."])
    checked = {Path(f["path"]).as_posix() for f in json.loads(capsys.readouterr().out)["findings"]}
    assert checked == {"post.md"}

    async def scenario(s: Session) -> None:
        for name in ("post.md", "drafts/2026/post.md", "notes.tmp.md"):
            found = by_rule(await s.diagnostics(s.open(name, text)))
            assert ("absolute-safety" in found) == (name in checked), name

    run_session(tmp_path, scenario, options={"debounce": 0})


def test_save_relints_and_a_changed_pack_is_reloaded(tmp_path: Path) -> None:
    starter = Path(__file__).parent / "fixtures" / "packs" / "starter.yaml"
    pack = tmp_path / "house.yaml"
    pack.write_text(starter.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".clinic-lint.yaml").write_text("default-packs: false\npacks: [house.yaml]\n", encoding="utf-8")
    text = "It is completely safe.\n"

    async def scenario(s: Session) -> None:
        uri = s.open("post.md", text)
        assert set(by_rule(await s.diagnostics(uri))) == {"starter-safe"}
        # the pack is edited and saved in the editor: every open document is re-linted with the new rules
        pack.write_text(pack.read_text(encoding="utf-8").replace("starter-safe", "house-safe"), encoding="utf-8")
        s.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=pack.as_uri()))
        )
        assert set(by_rule(await s.diagnostics(uri))) == {"house-safe"}
        # saving the document itself lints it again
        s.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert set(by_rule(await s.diagnostics(uri))) == {"house-safe"}

    run_session(tmp_path, scenario, options={"debounce": 0})


def test_a_broken_config_is_shown_not_fatal(tmp_path: Path) -> None:
    (tmp_path / ".clinic-lint.yaml").write_text("ignroe: [hype]\n", encoding="utf-8")

    async def scenario(s: Session) -> None:
        uri = s.open("post.md", "It is completely safe.\n")
        await asyncio.sleep(1.0)
        assert any("ignroe" in m for m in s.messages), s.messages
        (tmp_path / ".clinic-lint.yaml").write_text("ignore: [hype]\n", encoding="utf-8")
        s.change(uri, "It is completely safe.\n\n", 2)
        assert "absolute-safety" in by_rule(await s.diagnostics(uri))

    run_session(tmp_path, scenario, options={"debounce": 0})


@pytest.mark.parametrize("debounce", ["-1", "nan", "inf"])
def test_a_bad_debounce_is_a_usage_error(debounce: str, capsys) -> None:
    assert main(["server", "--debounce", debounce]) == 2
    err = capsys.readouterr().err
    assert err.startswith("clinic-lint: error: --debounce must be 0 or more seconds") and err.count("\n") == 1


def test_server_without_the_lsp_extra_says_how_to_get_it(monkeypatch, capsys) -> None:
    monkeypatch.delitem(sys.modules, "lint.server", raising=False)
    monkeypatch.setitem(sys.modules, "pygls", None)
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    assert main(["server"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'clinic-lint[lsp]'" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- positions, without a client


@pytest.mark.parametrize(
    "text, offset, expected",
    [
        ("a😀b", 2, (0, 3)),  # a non-BMP character counts two UTF-16 units
        ("😀😀x", 2, (0, 4)),
        ("ab\r\ncd", 4, (1, 0)),  # CRLF is one line break
        ("ab\rcd", 4, (1, 1)),  # so is a lone CR
        ("a\u2028b", 2, (0, 2)),  # U+2028 is no LSP line break
        ("ab\r\ncd", 3, (0, 2)),  # inside a CRLF: the line's end
        ("ab", 99, (0, 2)),
    ],
)
def test_offsets_to_utf16_positions(text: str, offset: int, expected: tuple[int, int]) -> None:
    assert Lines(text).position(offset) == expected


def test_positions_round_trip_in_every_encoding() -> None:
    text = "é😀x\r\nz\u2028y\rq"
    for encoding in ("utf-16", "utf-8", "utf-32"):
        lines = Lines(text, encoding)
        for offset in range(len(text) + 1):
            if text[offset - 1 : offset + 1] == "\r\n":
                continue  # between CR and LF: no position of its own
            assert lines.offset(*lines.position(offset)) == offset, (encoding, offset)
    assert Lines("😀x").offset(0, 1) == 0  # inside a surrogate pair: that character's start
    assert Lines("ab\ncd").offset(0, 99) == 2 and Lines("ab").offset(5, 0) == 2
    assert Lines("é", "utf-8").position(1) == (0, 2)
