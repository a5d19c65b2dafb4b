"""Where content teams keep copy, end to end through ``clinic-lint check``: a Hugo-style tree, a Next.js MDX
post, a Jekyll post with Liquid, an HTML page with og:/twitter:/JSON-LD metadata, a Word file built here and a
WordPress export. Each test asserts the exact line, column and matched words of every finding."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from lint.cli import main
from lint.extract import DEFAULT_EXTENSIONS, DEFAULT_FRONT_MATTER_KEYS, DEFAULT_PROSE_ATTRIBUTES

DATA = Path(__file__).parent / "data"
PACK = ["--no-default-packs", "--pack", str(DATA / "formats-pack.yaml")]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: str, text: str) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return p


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple], str]:
    """Exit code, findings as (path, line, column, rule, match) and standard error."""
    code = main(["check", *PACK, "--format", "json", *args])
    out, err = capsys.readouterr()
    err = "".join(line for line in err.splitlines(True) if "compiling rule packs" not in line)
    found = [(f["path"], f["line"], f["column"], f["rule"], f["match"]) for f in json.loads(out)["findings"]]
    return code, found, err


# --------------------------------------------------------------------------- Hugo


def test_hugo_tree_toml_front_matter_shortcodes_and_go_template_comments(capsys) -> None:
    write("site/config.toml", 'title = "Completely safe clinic"\n')  # site config: not content, not linted
    write(
        "site/content/posts/ketamine.md",
        '''
        +++
        title = "Ketamine: completely safe"
        summary = """
        Our infusions cure
        depression."""
        draft = false
        [params]
        subtitle = 'Book now'
        [[faq]]
        answer = "It is totally safe."
        +++

        {{/* clinic-lint-disable-next-line fmt-cure -- a patient's own words, reviewed by legal */}}
        "It cured me," one patient said.

        {{< figure src="/img/a.jpg" caption="Completely safe, every time" >}}

        {{% notice info %}}Book now for spring.{{% /notice %}}

        {{ .Params.cta }} Our team is totally safe to talk to. This is not medical advice.
        ''',
    )
    write(
        "site/layouts/partials/hero.html",
        """
        <section>{{ with .Params.hero }}<h1>{{ .title }}</h1>{{ end }}
        {{/* TODO: the completely safe wording, from legal */}}
        <p>Walk-ins welcome; care is completely safe here.</p>
        </section>
        """,
    )
    code, found, err = lint(capsys, "site")
    post = "site/content/posts/ketamine.md"
    assert (code, err) == (1, "")
    assert found == [
        (post, 2, 20, "fmt-safe", "completely safe"),
        (post, 4, 15, "fmt-cure", "cure"),
        (post, 8, 13, "fmt-book-now", "Book now"),
        (post, 10, 17, "fmt-safe", "totally safe"),
        (post, 16, 38, "fmt-safe", "Completely safe"),
        (post, 18, 20, "fmt-book-now", "Book now"),
        (post, 20, 31, "fmt-safe", "totally safe"),
        ("site/layouts/partials/hero.html", 3, 30, "fmt-safe", "completely safe"),
    ]


# --------------------------------------------------------------------------- Next.js MDX

MDX_POST = """
---
title: Ketamine therapy
excerpt: Completely safe, and it cures depression.
---
import { Callout } from '@/components/Callout'
export const metadata = { title: 'totally safe' }

# Ketamine at {siteName}

{/* clinic-lint-disable-next-line fmt-safe -- the 1970 label's own words, quoted */}
The label called it "completely safe" in 1970.

<Callout type="warning" title="Totally safe for teens">
  Ketamine can cure depression. <Badge>Book now</Badge>
</Callout>

<Image src="/k.png" alt={'Book now and be cured'} width={400} />

```jsx
<Callout title="completely safe" />
```

Use `completely safe` only in quotes. {/* completely safe */} This is not medical advice.
"""


def test_nextjs_mdx_post_jsx_props_text_and_comments(capsys) -> None:
    write("app/blog/ketamine/page.mdx", MDX_POST)
    code, found, err = lint(capsys, "app")
    path = "app/blog/ketamine/page.mdx"
    assert (code, err) == (1, "")
    assert found == [
        (path, 3, 10, "fmt-safe", "Completely safe"),
        (path, 3, 34, "fmt-cure", "cures"),
        (path, 13, 32, "fmt-safe", "Totally safe"),
        (path, 14, 16, "fmt-cure", "cure"),
        (path, 14, 40, "fmt-book-now", "Book now"),
        (path, 17, 27, "fmt-book-now", "Book now"),
        (path, 17, 43, "fmt-cure", "cured"),
    ]


def test_mdx_suppression_comment_is_checked_like_any_directive(capsys) -> None:
    write("post.mdx", "{/* clinic-lint-disable-next-line fmt-safe */}\nIt is completely safe.\n")
    code, found, _ = lint(capsys, "post.mdx")
    assert found == [("post.mdx", 1, 1, "suppression-missing-reason", "{/* clinic-lint-disable-next-line fmt-safe */}")]


def test_prose_attributes_setting_adds_and_removes_jsx_attributes(capsys) -> None:
    write("post.mdx", '<Hero cta="Book now" title="Book now" />\n')
    write(".clinic-lint.yaml", "prose-attributes: {cta: on, title: off}\n")
    _, found, _ = lint(capsys, "post.mdx")
    assert found == [("post.mdx", 1, 12, "fmt-book-now", "Book now")]


# --------------------------------------------------------------------------- Jekyll

JEKYLL_POST = """
---
layout: post
title: "Ketamine, the cure"
seo:
  description: Completely safe and fast.
---
{% comment %}
Legal said: never write completely safe. It cures nothing.
{% endcomment %}
{% include cta.html title="Book now" %}
Our infusions are {% if page.featured %}totally safe{% endif %} for most adults.

{% raw %}Type {{ cure }} to see the tag.{% endraw %}
{% comment %} clinic-lint-disable-next-line fmt-book-now -- the approved call to action {% endcomment %}
Book now, seats are limited. This is not medical advice.
"""


def test_jekyll_post_liquid_comments_raw_and_include_parameters(capsys) -> None:
    write("_posts/2024-05-01-ketamine.md", JEKYLL_POST)
    code, found, err = lint(capsys, "_posts")
    path = "_posts/2024-05-01-ketamine.md"
    assert (code, err) == (1, "")
    assert found == [
        (path, 3, 23, "fmt-cure", "cure"),
        (path, 5, 16, "fmt-safe", "Completely safe"),
        (path, 10, 28, "fmt-book-now", "Book now"),
        (path, 11, 41, "fmt-safe", "totally safe"),
        (path, 13, 18, "fmt-cure", "cure"),
    ]


def test_directives_in_template_comments_with_whitespace_control(capsys) -> None:
    write(
        "templates/page.html",
        """
        {#- clinic-lint-disable-next-line fmt-safe -- the label's words, quoted -#}
        <p>It is completely safe.</p>
        {%- # clinic-lint-disable-next-line fmt-cure -- a patient's words, reviewed -%}
        <p>It cured me.</p>
        {{- /* clinic-lint-disable-next-line fmt-book-now -- the approved call to action */ -}}
        <p>Book now. Totally safe. This is not medical advice.</p>
        """,
    )
    code, found, err = lint(capsys, "templates")
    assert (code, err) == (1, "")
    assert found == [("templates/page.html", 6, 14, "fmt-safe", "Totally safe")]


# --------------------------------------------------------------------------- HTML metadata

HTML_PAGE = """
<!DOCTYPE html>
<html><head>
<title>Ketamine clinic</title>
<meta property="og:title" content="Ketamine: totally safe">
<meta name="twitter:description" content="It cures depression &amp; more">
<meta property="og:image" content="https://example.com/cure.png">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "FAQPage", "url": "https://example.com/cure",
 "mainEntity": [{"@type": "Question", "name": "Completely safe, explained",
   "acceptedAnswer": {"@type": "Answer", "text": "<p>Yes \\u2014 totally safe.<\\/p> Book now!"}}]}
</script>
</head><body><p>Opening hours: 9 to 5. This is not medical advice.</p></body></html>
"""


def test_html_page_og_twitter_and_json_ld_positions_point_into_the_source(capsys) -> None:
    write("page.html", HTML_PAGE)
    code, found, _ = lint(capsys, "page.html")
    assert code == 1
    assert found == [
        ("page.html", 4, 46, "fmt-safe", "totally safe"),
        ("page.html", 5, 46, "fmt-cure", "cures"),
        ("page.html", 9, 48, "fmt-safe", "Completely safe"),
        ("page.html", 10, 65, "fmt-safe", "totally safe"),
        ("page.html", 10, 84, "fmt-book-now", "Book now"),
    ]


# --------------------------------------------------------------------------- Word files


def make_docx(path: Path) -> None:
    """A Word file as a copywriter delivers it: a heading, runs, a tab, an empty paragraph, a table, a line
    break, a comment, a tracked insertion and a tracked deletion."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_heading("Ketamine therapy: book now", level=1)  # paragraph 1
    p = d.add_paragraph("Our infusions are ")  # paragraph 2
    run = p.add_run("completely safe")
    run.bold = True
    p.add_run(".\tThey cure depression.")
    d.add_comment(run, text="Legal: completely safe is a cure claim?", author="Ed")  # comments are not copy
    d.add_paragraph("")  # paragraph 3
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Semaglutide"  # paragraph 4
    table.cell(0, 1).text = "Totally safe for most adults"  # paragraph 5
    p = d.add_paragraph("First line")  # paragraph 6
    p.add_run().add_break()
    p.add_run("then it is totally safe.")
    p = d.add_paragraph("Edited: ")  # paragraph 7
    p._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="Ed"><w:r><w:t>cured fast</w:t></w:r></w:ins>'))
    p._p.append(
        parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="Ed"><w:r><w:delText>book now</w:delText></w:r></w:del>')
    )
    d.save(str(path))


def test_word_file_findings_give_paragraph_and_character_offset(capsys, tmp_path: Path) -> None:
    make_docx(tmp_path / "brief.docx")
    code, found, err = lint(capsys, "brief.docx")
    assert (code, err) == (1, "")
    assert found == [
        ("brief.docx", 1, 1, "fmt-disclaimer", ""),
        ("brief.docx", 1, 19, "fmt-book-now", "book now"),
        ("brief.docx", 2, 19, "fmt-safe", "completely safe"),
        ("brief.docx", 2, 41, "fmt-cure", "cure"),
        ("brief.docx", 5, 1, "fmt-safe", "Totally safe"),
        ("brief.docx", 6, 23, "fmt-safe", "totally safe"),
        ("brief.docx", 7, 9, "fmt-cure", "cured"),
    ]


def test_word_file_in_every_format_and_never_rewritten_by_fix(capsys, tmp_path: Path) -> None:
    make_docx(tmp_path / "brief.docx")
    before = (tmp_path / "brief.docx").read_bytes()
    assert main(["check", *PACK, "--fix", "brief.docx"]) == 1
    out, _ = capsys.readouterr()
    assert (tmp_path / "brief.docx").read_bytes() == before
    assert "brief.docx:2:19: error fmt-safe" in out
    main(["check", *PACK, "--format", "sarif", "brief.docx"])
    region = json.loads(capsys.readouterr()[0])["runs"][0]["results"][2]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 19, 34)


def test_a_word_file_without_python_docx_is_one_clear_error(capsys, tmp_path: Path, monkeypatch) -> None:
    make_docx(tmp_path / "brief.docx")
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    code, found, err = lint(capsys, "brief.docx")
    assert (code, found) == (3, [])
    assert err == (
        "clinic-lint: error: brief.docx: reading Word files needs python-docx: pip install 'clinic-lint[docx]'\n"
    )


def test_a_damaged_word_file_is_reported_not_crashed_on(capsys) -> None:
    Path("broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    code, found, err = lint(capsys, "broken.docx")
    assert (code, found) == (3, [])
    assert err.startswith("clinic-lint: error: broken.docx: not a readable Word file (")


# --------------------------------------------------------------------------- WordPress exports

WXR = """
<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Bright Clinic</title>
  <description>Completely safe care</description>
  <item>
    <title><![CDATA[Ketamine: totally safe &amp; fast]]></title>
    <content:encoded><![CDATA[<!-- wp:paragraph -->
<p>Our infusions <strong>cure depression</strong>.</p>
<!-- /wp:paragraph -->

Book now: spring slots.]]></content:encoded>
    <excerpt:encoded><![CDATA[Completely safe.]]></excerpt:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_name><![CDATA[ketamine-therapy]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:comment><wp:comment_content><![CDATA[It cured me!]]></wp:comment_content></wp:comment>
  </item>
  <item>
    <title>Weight loss &amp; you</title>
    <content:encoded>&lt;p&gt;Totally safe, this is not medical advice.&lt;/p&gt;</content:encoded>
    <wp:post_id>13</wp:post_id>
    <wp:post_name></wp:post_name>
    <wp:post_type>page</wp:post_type>
  </item>
  <item>
    <title>completely-safe.png</title>
    <wp:post_type>attachment</wp:post_type>
  </item>
  <item>
    <title>Cure for everything</title>
    <wp:post_name>old</wp:post_name>
    <wp:status>trash</wp:status>
  </item>
</channel>
</rss>
"""


def test_wordpress_export_each_post_named_by_slug_or_id_positions_in_the_export(capsys) -> None:
    write("export.xml", WXR)
    code, found, err = lint(capsys, "export.xml")
    assert (code, err) == (1, "")
    assert found == [
        ("export.xml#ketamine-therapy", 8, 21, "fmt-disclaimer", ""),
        ("export.xml#ketamine-therapy", 8, 31, "fmt-safe", "totally safe"),
        ("export.xml#ketamine-therapy", 10, 26, "fmt-cure", "cure"),
        ("export.xml#ketamine-therapy", 13, 1, "fmt-book-now", "Book now"),
        ("export.xml#ketamine-therapy", 14, 31, "fmt-safe", "Completely safe"),
        ("export.xml#13", 23, 31, "fmt-safe", "Totally safe"),
    ]


def test_wordpress_export_in_sarif_and_github_points_at_the_export_file(capsys) -> None:
    write("export.xml", WXR)
    main(["check", *PACK, "--format", "sarif", "export.xml"])
    result = json.loads(capsys.readouterr()[0])["runs"][0]["results"][-1]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "export.xml"
    assert location["physicalLocation"]["region"]["startLine"] == 23
    assert location["logicalLocations"] == [{"name": "13", "fullyQualifiedName": "export.xml#13", "kind": "element"}]
    main(["check", *PACK, "--format", "github", "export.xml"])
    annotations = [line for line in capsys.readouterr()[0].splitlines() if line.startswith("::")]
    assert annotations[-1].startswith("::error file=export.xml,line=23,col=31,")


def test_wordpress_export_baseline_keeps_posts_of_files_not_checked(capsys) -> None:
    write("export.xml", WXR)
    write("other.md", "It is completely safe.\n")
    assert main(["check", *PACK, "--baseline", "b.json", "--update-baseline", "."]) == 0
    capsys.readouterr()
    paths = {e["path"] for e in json.loads(Path("b.json").read_text())["findings"]}
    assert paths == {"export.xml#ketamine-therapy", "export.xml#13", "other.md"}
    assert main(["check", *PACK, "--baseline", "b.json", "--update-baseline", "other.md"]) == 0
    capsys.readouterr()
    paths = {e["path"] for e in json.loads(Path("b.json").read_text())["findings"]}
    assert paths == {"export.xml#ketamine-therapy", "export.xml#13", "other.md"}
    assert lint(capsys, "--baseline", "b.json", ".")[:2] == (0, [])


def test_wordpress_export_seo_descriptions_are_linted_with_their_post(capsys) -> None:
    write(
        "export.xml",
        """
        <rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>
        <title>Ketamine</title><wp:post_name>ketamine</wp:post_name>
        <content:encoded>This is not medical advice.</content:encoded>
        <wp:postmeta><wp:meta_key>_yoast_wpseo_metadesc</wp:meta_key>
        <wp:meta_value><![CDATA[Totally safe. Book now!]]></wp:meta_value></wp:postmeta>
        </item></channel></rss>
        """,
    )
    code, found, err = lint(capsys, "export.xml")
    assert (code, err) == (1, "")
    assert found == [
        ("export.xml#ketamine", 5, 25, "fmt-safe", "Totally safe"),
        ("export.xml#ketamine", 5, 39, "fmt-book-now", "Book now"),
    ]


def test_an_xml_file_that_is_no_wordpress_export_is_skipped_with_a_notice(capsys) -> None:
    write("sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>https://x.org/cure</loc></url></urlset>\n')
    code, found, err = lint(capsys, "sitemap.xml")
    assert (code, found) == (0, [])
    assert err == "clinic-lint: sitemap.xml: not a WordPress export (WXR): skipped\n"


# --------------------------------------------------------------------------- front matter keys (config)


def test_front_matter_keys_setting_adds_and_removes_keys(capsys) -> None:
    write("post.md", "---\nhero_text: Book now\ntitle: Book now\nsummary: Book now\n---\nBody.\n")
    assert [f[1:3] for f in lint(capsys, "post.md")[1]] == [(3, 8), (4, 10)]
    write(".clinic-lint.yaml", "front-matter-keys:\n  hero-text: on\n  title: off\n")
    assert [f[1:3] for f in lint(capsys, "post.md")[1]] == [(2, 12), (4, 10)]
    write(".clinic-lint.yaml", "front-matter-keys: [heroText]\n")  # a list adds, in any spelling of the key
    assert [f[1:3] for f in lint(capsys, "post.md")[1]] == [(2, 12), (3, 8), (4, 10)]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("front-matter-keys: 3\n", "1:20: 'front-matter-keys' must be a list of names, or map names to on or off"),
        ("front-matter-keys: [ok, 'a b']\n", "1:25: 'front-matter-keys': 'a b' is not a key or attribute name"),
        ("prose-attributes: {cta: maybe}\n", "1:25: 'prose-attributes': 'cta' must be on or off, not 'maybe'"),
    ],
)
def test_new_settings_are_validated_like_the_others(capsys, config: str, message: str) -> None:
    write(".clinic-lint.yaml", config)
    write("post.md", "Hello.\n")
    assert main(["check", *PACK, "post.md"]) == 2
    assert capsys.readouterr()[1] == f"clinic-lint: error: .clinic-lint.yaml:{message}\n"


def test_mdx_is_linted_by_default_in_a_directory(capsys) -> None:
    write("content/a.mdx", "It is completely safe.\n")
    write("content/b.md", "It is totally safe.\n")
    assert [f[0] for f in lint(capsys, "content")[1]] == ["content/a.mdx", "content/b.md"]


def test_the_pre_commit_hook_runs_on_mdx_files() -> None:
    from identify.identify import tags_from_filename
    from ruamel.yaml import YAML

    (hook,) = YAML(typ="safe").load(Path(__file__).parent.parent.joinpath(".pre-commit-hooks.yaml").read_text())
    for name in ("post.mdx", "post.md", "page.html", "notes.txt"):
        assert tags_from_filename(name) & set(hook["types_or"]), name


# --------------------------------------------------------------------------- the README says what the code does


def test_the_readme_lists_the_default_keys_attributes_and_file_types() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What is linted in each format") : readme.index("**Template syntax**")]
    front_matter = section[section.index("**Front matter**") : section.index("Keys match in any spelling")]
    front_matter = front_matter[front_matter.index("over several lines too):") :]
    assert re.findall(r"`([\w:]+)`", front_matter) == list(DEFAULT_FRONT_MATTER_KEYS)
    attributes = section[section.index("**Prose attributes**") : section.index("`prose-attributes` adds")]
    attributes = attributes[attributes.index("parameters:") :]
    assert re.findall(r"`(\w+)`", attributes) == list(DEFAULT_PROSE_ATTRIBUTES)
    table = {
        row.split("|")[1].strip(): re.findall(r"`(\.\w+)`", row.split("|")[2])
        for row in section.splitlines()
        if row.startswith("| ") and not row.startswith("| format")
    }
    listed = {ext: name for name, exts in table.items() for ext in exts}
    assert sorted(listed) == sorted(DEFAULT_EXTENSIONS)
