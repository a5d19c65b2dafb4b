"""What happens to each file's result between the runner and the reporter: fixes, diffs and the baseline.

Order per file: subtract the baseline; then ``--diff`` prints the available replacements, or ``--fix`` writes
them and the fixed text is linted again (what remains is reported, the baseline subtracted again); with
``--update-baseline`` the remaining findings are recorded and none is reported.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from lint.decode import SourceText
from lint.extract import format_for
from lint.model import LintError
from lint.runner import Engine, FileResult, lint_source

if TYPE_CHECKING:
    from lint import baseline as baseline_mod


@dataclass
class Options:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    baseline: str | None = None
    update_baseline: bool = False
    stdin: bool = False

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
        if options.baseline:
            from lint import baseline as baseline_mod  # only when asked for: keeps a one-post run quick

            self.baseline = baseline_mod.load(options.baseline, missing_ok=options.update_baseline)
            if options.update_baseline:
                self.updater = baseline_mod.Updater(self.baseline)

    def process(self, result: FileResult) -> tuple[FileResult, int]:
        """The result to report for one file, and how many fixes were written to it."""
        fixed = 0
        if self.options.diff and result.source is not None:
            self._diff(result)
        elif self.options.fix and result.source is not None:
            result, fixed = self._fix(result)
        if self.updater is not None:
            complete = not result.errors and not result.notices
            self.updater.observe(result.path, result.findings, complete=complete)
            return dataclasses.replace(result, findings=[]), fixed
        return self._subtract(result), fixed

    def finish(self) -> str | None:
        """Write the baseline when updating; the line to tell the user, if any."""
        return self.updater.write() if self.updater is not None else None

    # ------------------------------------------------------------------ steps

    def _subtract(self, result: FileResult) -> FileResult:
        if self.baseline is None or not result.findings:
            return result
        return dataclasses.replace(result, findings=self.baseline.subtract(result.findings))

    def _diff(self, result: FileResult) -> None:
        from lint import fix as fix_mod

        source = result.source
        edits = fix_mod.choose(fix_mod.edits_for(self._subtract(result).findings, unsafe=True))
        if edits:
            new = fix_mod.apply_edits(source.text, edits, source.newline)
            self.diff_out.write(fix_mod.unified_diff(result.path, source.text, new))

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
        fmt = format_for(result.path, self.engine.config.extensions) or "text"
        fixed_source = SourceText(new, source.encoding, source.bom, source.newline)
        relinted = lint_source(fixed_source, result.path, fmt, self.engine)
        return relinted, len(edits)
