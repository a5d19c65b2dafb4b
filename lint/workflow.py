"""What happens to each file's result between the runner and the reporter: fixes, diffs, baseline, waivers.

Order per file: subtract the baseline, then set aside the findings a valid waiver accepts; then ``--diff``
prints the available replacements, or ``--fix`` writes them and the fixed text is linted again (what remains
is reported, the baseline and waivers applied again); with ``--update-baseline`` the remaining findings
(less the waived ones) are recorded and none is reported.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from lint.decode import SourceText
from lint.extract import format_for
from lint.model import LintError
from lint.runner import Engine, FileResult, lint_source

if TYPE_CHECKING:
    from lint import baseline as baseline_mod
    from lint import waivers as waivers_mod


@dataclass
class Options:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    baseline: str | None = None
    update_baseline: bool = False
    stdin: bool = False
    waivers: str | None = None  # the waiver file (missing: no waivers)
    today: dt.date | None = None  # the date waivers are judged on (--today; default: the real date)

    def check(self) -> None:
        if self.fix and self.diff:
            raise LintError("--fix and --diff cannot be used together (--diff changes nothing)")
        if self.unsafe_fixes and not self.fix:
            raise LintError("--unsafe-fixes only works with --fix")
        if self.fix and self.stdin:
            raise LintError("--fix cannot rewrite standard input; use --diff to see the fixes")
        if self.update_baseline and not self.baseline:
            raise LintError("--update-baseline needs --baseline FILE (or 'baseline' in the config)")

    @property
    def needs_source(self) -> bool:
        return self.fix or self.diff


class Workflow:
    def __init__(self, options: Options, engine: Engine, diff_out: TextIO | None = None) -> None:
        options.check()
        self.options, self.engine = options, engine
        self.diff_out = diff_out or sys.stdout
        self.baseline: baseline_mod.Baseline | None = None
        self.updater: baseline_mod.Updater | None = None
        self.fixes: list[tuple[str, str]] = []  # (path, rule) of every fix --fix wrote, for --show-fixes
        if options.baseline:
            from lint import baseline as baseline_mod  # only when asked for: keeps a one-post run quick

            self.baseline = baseline_mod.load(options.baseline, missing_ok=options.update_baseline)
            if options.update_baseline:
                self.updater = baseline_mod.Updater(self.baseline)
        self.waivers: waivers_mod.Register | None = None
        if options.waivers:
            from lint import waivers as waivers_mod

            register = waivers_mod.Register(waivers_mod.load(options.waivers), options.today or dt.date.today())
            self.waivers = register if register.by_key else None  # no waivers: nothing to do per file

    def process(self, result: FileResult) -> tuple[FileResult, int]:
        """The result to report for one file, and how many fixes were written to it."""
        fixed = 0
        if self.options.diff and result.source is not None:
            self._diff(result)
        elif self.options.fix and result.source is not None:
            result, fixed = self._fix(result)
        if self.updater is not None:
            complete = not result.errors and not result.notices
            findings = result.findings
            if self.waivers is not None:  # waived findings stay out: they come back when the waiver lapses
                findings = self.waivers.apply(result.path, findings, complete=complete)[0]
            self.updater.observe(result.path, findings, complete=complete)
            return dataclasses.replace(result, findings=[]), fixed
        return self._subtract(result), fixed

    def finish(self) -> str | None:
        """Write the baseline when updating; the line to tell the user, if any."""
        return self.updater.write() if self.updater is not None else None

    def waiver_records(self) -> list[dict]:
        """Every waiver with its status after this run (stale ones are known only for files checked)."""
        return self.waivers.records() if self.waivers is not None else []

    # ------------------------------------------------------------------ steps

    def _subtract(self, result: FileResult) -> FileResult:
        """The result less the baselined findings, with the waived ones moved to ``waived``."""
        if self.baseline is not None and result.findings:
            result = dataclasses.replace(result, findings=self.baseline.subtract(result.findings))
        if self.waivers is not None:
            complete = not result.errors and not result.notices
            kept, waived = self.waivers.apply(result.path, result.findings, complete=complete)
            result = dataclasses.replace(result, findings=kept, waived=waived)
        return result

    def _diff(self, result: FileResult) -> None:
        from lint import fix as fix_mod

        source = result.source
        edits = fix_mod.choose(fix_mod.edits_for(self._subtract(result).findings, unsafe=True))
        if edits:
            new = fix_mod.apply_edits(source.text, edits, source.newline)
            bom = "\ufeff" if source.bom == b"\xef\xbb\xbf" else ""  # part of the first line, for patch
            self.diff_out.write(fix_mod.unified_diff(result.path, source.text, new, bom))

    def _fix(self, result: FileResult) -> tuple[FileResult, int]:
        from lint import fix as fix_mod

        source = result.source
        wanted = self._subtract(result).findings  # baselined findings are accepted as they are: not fixed
        edits = fix_mod.choose(fix_mod.edits_for(wanted, unsafe=self.options.unsafe_fixes))
        new = fix_mod.apply_edits(source.text, edits, source.newline) if edits else source.text
        if new == source.text:
            return result, 0  # never touch a file with nothing to change
        try:
            fix_mod.rewrite(result.path, source, new)
        except fix_mod.FixError as exc:
            return dataclasses.replace(result, errors=[*result.errors, str(exc)]), 0
        self.fixes += [(result.path, e.rule) for e in edits]
        engine = self.engine.for_path(result.path)  # the file's own settings (its nearest config)
        fmt = format_for(result.path, engine.config.extensions) or "text"
        fixed_source = SourceText(new, source.encoding, source.bom, source.newline)
        relinted = lint_source(fixed_source, result.path, fmt, engine)
        return relinted, len(edits)
