import os
import subprocess

from lint.discover import Missing, Target, discover
from lint.extract import DEFAULT_EXTENSIONS


def _paths(items):
    return [i.path if isinstance(i, Target) else ("MISSING", i.path) for i in items]


def _tree(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def test_walks_sorted_skipping_hidden_unknown_and_gitignored(tmp_path, monkeypatch):
    _tree(tmp_path, {
        "site/b.md": "x", "site/a.html": "x", "site/c.txt": "x", "site/d.py": "x", "site/.hidden.md": "x",
        "site/.git/HEAD.md": "x", "site/drafts/e.md": "x", "site/build/f.md": "x", "site/sub/g.markdown": "x",
        "site/.gitignore": "build/\n*.tmp.md\n", "site/sub/.gitignore": "g.markdown\n", "site/x.tmp.md": "x",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert _paths(discover(["site"], DEFAULT_EXTENSIONS)) == [
        os.path.join("site", "a.html"), os.path.join("site", "b.md"), os.path.join("site", "c.txt"),
        os.path.join("site", "drafts", "e.md"),
    ]  # fmt: skip


def test_gitignore_above_the_named_directory_applies_inside_a_repo(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _tree(tmp_path, {".gitignore": "secret.md\n", "posts/secret.md": "x", "posts/ok.md": "x"})
    monkeypatch.chdir(tmp_path / "posts")
    assert _paths(discover(["."], DEFAULT_EXTENSIONS)) == [os.path.join(".", "ok.md")]


def test_explicit_files_are_linted_whatever_the_extension_and_missing_is_reported(tmp_path):
    _tree(tmp_path, {"notes.rst": "x", "page.htm": "x"})
    items = list(
        discover(
            [str(tmp_path / "notes.rst"), str(tmp_path / "page.htm"), str(tmp_path / "nope.md")], DEFAULT_EXTENSIONS
        )
    )
    assert [(type(i).__name__, getattr(i, "fmt", None)) for i in items] == [
        ("Target", "text"),
        ("Target", "html"),
        ("Missing", None),
    ]
    assert isinstance(items[2], Missing) and "no such file" in items[2].reason


def test_exclude_globs_and_extra_extensions(tmp_path, monkeypatch):
    _tree(tmp_path, {"a.md": "x", "b.mdx": "x", "drafts/c.md": "x"})
    monkeypatch.chdir(tmp_path)
    exts = {**DEFAULT_EXTENSIONS, ".mdx": "markdown"}
    assert _paths(discover(["."], exts, exclude=["drafts/*"])) == [
        os.path.join(".", "a.md"),
        os.path.join(".", "b.mdx"),
    ]


def test_symlink_loop_does_not_trap_the_walk(tmp_path):
    _tree(tmp_path, {"d/a.md": "x"})
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    assert _paths(discover([str(tmp_path / "d")], DEFAULT_EXTENSIONS)) == [str(tmp_path / "d" / "a.md")]
