"""Template syntax that is never published (Liquid/Jekyll, Hugo/Go templates, Jinja/Nunjucks, Handlebars
comments) is skipped in Markdown and HTML; the prose between tags is linted at its exact position; template
comments carry suppression directives; shortcode and include parameters that hold copy are linted."""

from __future__ import annotations

from helpers import assert_faithful, check_position
from hypothesis import given, settings
from hypothesis import strategies as st

from lint.extract.html import extract as html_extract
from lint.extract.markdown import extract
from lint.extract.templates import mask


def prose(src: str, fmt=extract) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in fmt(src).blocks]


def check(src: str, phrase: str, source: str, line: int, col: int, kind: str | None = None):
    return check_position(extract, src, phrase, source, line, col, kind)


JEKYLL = """{% comment %}
Legal: this cures nothing, never write it.

Second paragraph of the note.
{% endcomment %}
Our infusions are {% if page.x %}completely safe{%- endif -%} for adults.
{%- # an inline Liquid comment: guaranteed -%}
{% raw %}Type {{ cure }} to print the tag.{% endraw %}
{% highlight python %}
cure = "guaranteed"
{% endhighlight %}
{% include figure.html caption="Cured in one visit" src="/a.jpg" %}
"""


def test_liquid_comments_tags_raw_and_highlight() -> None:
    assert prose(JEKYLL) == [
        ("paragraph", "Our infusions are completely safe for adults."),
        ("paragraph", "Type {{ cure }} to print the tag."),
        ("caption", "Cured in one visit"),
    ]
    check(JEKYLL, "are completely safe for", "are {% if page.x %}completely safe{%- endif -%} for", 6, 15)
    check(JEKYLL, "{{ cure }}", "{{ cure }}", 8, 15)
    check(JEKYLL, "Cured in", "Cured in", 12, 33, kind="caption")
    comments = extract(JEKYLL).comments
    assert [c.text.strip() for c in comments] == [
        "Legal: this cures nothing, never write it.\n\nSecond paragraph of the note.",
        "an inline Liquid comment: guaranteed",  # the "-" of "-%}" is whitespace control, not a word
    ]
    assert_faithful(JEKYLL, extract(JEKYLL))


HUGO = """{{/* A Go template comment: guaranteed cure */}}
{{- /* trimmed: cures all */ -}}
{{< figure src="/a.jpg" caption="Results \\"guaranteed\\"" alt=`Cured` >}}
{{% callout note %}}Book now, totally safe.{{% /callout %}}
{{< highlight go >}}
cure := true
{{< /highlight >}}
Welcome to {{ .Site.Title }}, the {{ .Params.adjective | default "best" }} clinic.
"""


def test_hugo_comments_shortcodes_and_expressions() -> None:
    assert prose(HUGO) == [
        ("caption", 'Results "guaranteed"'),
        ("alt", "Cured"),
        ("paragraph", "Book now, totally safe."),
        ("paragraph", "Welcome to , the clinic."),
    ]
    check(HUGO, '"guaranteed"', '\\"guaranteed\\"', 3, 42, kind="caption")
    check(HUGO, "Book now", "Book now", 4, 21)
    assert [c.text for c in extract(HUGO).comments] == [
        " A Go template comment: guaranteed cure ",
        " trimmed: cures all ",
    ]


def test_jinja_and_handlebars_comments_but_not_markdown_attribute_lists() -> None:
    src = "{# Jinja: cures all #}\n## Safe care {#safe-care}\n\nText {{!-- hb: cure --}} and {{! short }} more.\n"
    assert prose(src) == [("heading", "Safe care {#safe-care}"), ("paragraph", "Text and more.")]
    assert [c.text for c in extract(src).comments] == [" Jinja: cures all ", " hb: cure ", " short "]


def test_whitespace_control_dashes_are_not_part_of_a_comments_words() -> None:
    src = "{#- clinic-lint-disable-next-line hype -- ok -#}\n{%- # a note -%}\n{#+ kept +#} {# y- #} {#-#}\nText.\n"
    assert [c.text for c in extract(src).comments] == [
        " clinic-lint-disable-next-line hype -- ok ",
        " a note ",
        " kept ",
        " y- ",  # a dash that is not next to the closer is the comment's own
        "",
    ]
    assert prose(src) == [("paragraph", "Text.")]


def test_template_comments_carry_directives_in_html_too() -> None:
    src = "{% comment %} clinic-lint-disable-next-line hype -- ok {% endcomment %}\n<p>{{ page.x }}Amazing</p>\n"
    doc = html_extract(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [("paragraph", "Amazing")]
    assert [(c.text, c.start) for c in doc.comments] == [(" clinic-lint-disable-next-line hype -- ok ", 0)]
    check_position(html_extract, src, "Amazing", "Amazing", 2, 16)


def test_a_tag_at_the_start_of_a_line_does_not_make_indented_code() -> None:
    src = "{% if a %}{% if b %}Our care is completely safe.\n\n- {% if c %}Book now, spots are limited\n"
    assert prose(src) == [("paragraph", "Our care is completely safe."), ("list-item", "Book now, spots are limited")]
    # real indented code stays code
    assert prose("Text.\n\n    cure = 1\n") == [("paragraph", "Text.")]


def test_stray_delimiters_are_text() -> None:
    # no closer, or the closer only after a blank line: not template syntax, nothing is hidden
    src = "Price {% of care\n\nis {{ low. A set {x} and {#anchor} here.\n\nLater }} and %} text.\n"
    assert mask(src, 0, frozenset()) is None
    assert prose(src) == [
        ("paragraph", "Price {% of care"),
        ("paragraph", "is {{ low. A set {x} and {#anchor} here."),
        ("paragraph", "Later }} and %} text."),
    ]


def test_no_template_syntax_costs_nothing() -> None:
    assert mask("Plain post with {braces} only.", 0, frozenset()) is None


_ALPHABET = st.sampled_from(list("ab {}%#<>/*-\n\"=`") + [
    "{%", "%}", "{{", "}}", "{#", "#}", "{{/*", "*/}}", "{{<", ">}}", "{{%", "%}}", "{% comment %}",
    "{% endcomment %}", "{% raw %}", "{% endraw %}", "{% highlight %}", "{% endhighlight %}", "{{!--", "--}}",
    'caption="x"', "\n\n", "<p>", "<!--", "-->",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=50).map("".join))
def test_property_never_raises_and_maps_verbatim_text_exactly(src: str) -> None:
    assert_faithful(src, extract(src))
    assert_faithful(src, html_extract(src))
