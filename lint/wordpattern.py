"""The rule language: patterns written as words, compiled to regular expressions over a token stream.

A pattern is a sequence of items separated by spaces (docs/rule-packs.md teaches it with examples):

==================  =============================================================================
``safe``            that word, in any case ("Safe", "SAFE")
``lose+``           any form of the word: lose, loses, losing, lost
``very?``           an optional word (``?`` also follows a group or a vocabulary)
``cure|heal+``      one word out of several (no spaces around the bar)
``(side effects | adverse reactions)``   one phrase out of several (spaces around the bar)
``...``  ``...6``   a gap of up to 3 (or 6) words that does not cross ``. ; : ! ?``
``<condition>``     any entry of a named vocabulary (rules/_vocabularies.yaml, a pack's own)
``<number>``        a number, in digits or words; ``<any>`` one word, whatever it is
``^ lose+``         only at the start of a sentence (after any quote, bullet or emoji)
``re:\\d+mg``        escape hatch: one word matched by a regular expression (lower case)
``\\?`` ``\\(``       a character that is otherwise syntax, as a word
==================  =============================================================================

A literal is tokenised like prose (:mod:`lint.tokens`), so "FDA-approved", "97%" or "it's" mean what they say.
Compiling yields one regular expression over the lower-case token stream, in which every token is followed by a
space; each vocabulary reference is a named group (``<condition>`` is group ``condition``). Compiling also yields
the words a match cannot do without (:func:`Compiled.needs`), which is how the matcher skips rules whose words
do not occur in a sentence without running them.

The expressions are Python's own ``re``: every gap is bounded, so a match attempt costs at most a fixed amount
of work whatever the input, and ``re`` runs these anchored attempts several times faster than ``regex``
(which stays for the ``regex:`` escape hatch over the prose, where a timeout is needed). ``re`` wants each
group name once, so :func:`stream_regex` numbers repeats (``gap__1``, ``condition__2``) and
:func:`base_name` reads them back.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lint import tokens

DEFAULT_GAP = 3
MAX_GAP = 12
# A gap word: any token but a clause-ending mark.
_GAP_WORD = r"(?:(?![.;:!?\u2026] )[^ ]+ )"
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty "
    "seventy eighty ninety hundred hundreds thousand thousands million millions dozen dozens half a-third"
).split()
_ONE_NUMBER = r"(?:\d[\d.,]*(?:'s)? |(?:" + "|".join(w for w in _NUMBER_WORDS if "-" not in w) + r") )"
# A number or a range of them: "4", "2.5", "ten", "2-4" (read "2 4"), "3 to 5", "10 or 20".
_NUMBER = f"(?:{_ONE_NUMBER}(?:(?:to |or |and |- )?{_ONE_NUMBER})?)"
_ANY = r"[^ ]+ "
# ^: the start of the sentence, then any opening marks (quotes, bullets, emoji). A pattern that starts with
# it is tried only at the sentence's first word (``Compiled.at_start``) and this is left out; inside a
# vocabulary it says "after the start of the block or a stop" (each look-behind has a fixed width, as re
# wants).
_START = r"(?:\A|(?<=[.!?\u2026:] )|(?<=[.!?\u2026][\"')\]] ))(?:[^\w ]+ )*"
_BUILTINS = {"number": _NUMBER, "any": _ANY, "start": _START}
NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")


class PatternError(ValueError):
    """A pattern that cannot be read; the message says where (the pack loader adds file:line:col)."""


# ------------------------------------------------------------------------------------------------ syntax tree


@dataclass(frozen=True, slots=True)
class Words:
    """A literal word sequence; ``inflect`` expands its last word to every form."""

    words: tuple[str, ...]
    inflect: bool = False


@dataclass(frozen=True, slots=True)
class Ref:
    name: str


@dataclass(frozen=True, slots=True)
class Re:
    source: str


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str  # "number" | "any" | "start" (the pattern's leading ^)


@dataclass(frozen=True, slots=True)
class Gap:
    most: int


@dataclass(frozen=True, slots=True)
class Choice:
    options: tuple[Seq, ...]


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Item:
    node: Words | Ref | Re | Builtin | Gap | Choice
    optional: bool = False


BUILTINS = ("number", "any")


# ------------------------------------------------------------------------------------------------ parsing


def parse(source: str) -> Seq:
    """Parse one pattern. Raises :class:`PatternError` naming the column of the problem."""
    parser = _Parser(source)
    start: tuple[Item, ...] = ()
    stripped = source.lstrip()
    if stripped.startswith("^ ") or stripped == "^":
        parser.at = len(source) - len(stripped) + 1
        start = (Item(Builtin("start")),)
    seq = parser.sequence(top=True)
    seq = Seq(start + seq.items)
    if parser.at < len(source):
        parser.fail("unexpected ')'")
    if len(seq.items) == len(start):
        raise PatternError("empty pattern")
    return seq


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0

    def fail(self, message: str) -> None:
        raise PatternError(f"column {self.at + 1}: {message} in pattern {self.source!r}")

    def _skip_spaces(self) -> None:
        while self.at < len(self.source) and self.source[self.at].isspace():
            self.at += 1

    def sequence(self, top: bool = False) -> Seq:
        """Items up to a closing parenthesis (or the end), with ' | ' between whole phrases."""
        options: list[Seq] = []
        items: list[Item] = []
        while True:
            self._skip_spaces()
            if self.at >= len(self.source) or self.source[self.at] == ")":
                break
            if self.source[self.at] == "|":
                if not items:
                    self.fail("'|' with nothing before it")
                options.append(Seq(tuple(items)))
                items = []
                self.at += 1
                continue
            items.append(self.item())
        if options:
            if not items:
                self.fail("'|' with nothing after it")
            options.append(Seq(tuple(items)))
            if any(all(i.optional or isinstance(i.node, Gap) for i in o.items) for o in options):
                self.fail(
                    "one of the alternatives can be empty (a word with '?'): make the whole group optional, (a | b)?, or use word+ for plurals"
                )
            return Seq((Item(Choice(tuple(options))),))
        return Seq(tuple(items))

    def item(self) -> Item:
        if self.source[self.at] == "(":
            opened = self.at
            self.at += 1
            inner = self.sequence()
            if self.at >= len(self.source) or self.source[self.at] != ")":
                self.fail("'(' without ')'")
            body = self.source[opened + 1 : self.at]
            if " " in body.strip() and "|" in body and " | " not in body and "(" not in body:
                # "(side effects|adverse events)" reads as phrases but means side (effects|adverse) events
                self.fail(
                    f"in ({body}), put spaces around '|' between phrases, as in (side effects | adverse events); a bar without spaces chooses one word"
                )
            self.at += 1
            if not inner.items:
                self.fail("empty group '()'")
            optional = self._suffix("?")
            self._must_end_item()
            node = inner.items[0].node if len(inner.items) == 1 and not inner.items[0].optional else Choice((inner,))
            return Item(node, optional)
        raw = self._raw_item()
        if raw.startswith("..."):
            if raw == "...":
                return Item(Gap(DEFAULT_GAP))
            if not raw[3:].isdigit() or not 1 <= int(raw[3:]) <= MAX_GAP:
                self.fail(f"a gap is '...' or '...N' with N from 1 to {MAX_GAP}, not {raw!r}")
            return Item(Gap(int(raw[3:])))
        optional = raw.endswith("?") and not raw.endswith("\\?")
        if optional:
            raw = raw[:-1]
        alternatives = _split_unescaped(raw, "|")
        if any(not a for a in alternatives):
            self.fail(f"empty alternative in {raw!r}")
        nodes = [self._single(a) for a in alternatives]
        if len(nodes) == 1:
            return Item(nodes[0], optional)
        return Item(Choice(tuple(Seq((Item(n),)) for n in nodes)), optional)

    def _suffix(self, char: str) -> bool:
        if self.at < len(self.source) and self.source[self.at] == char:
            self.at += 1
            return True
        return False

    def _must_end_item(self) -> None:
        if self.at < len(self.source) and not self.source[self.at].isspace() and self.source[self.at] not in ")|":
            self.fail("a group must be followed by a space")

    def _raw_item(self) -> str:
        """The text of one item: up to white space or an unescaped ')' (a group's end)."""
        start = self.at
        while self.at < len(self.source):
            ch = self.source[self.at]
            if ch == "\\" and self.at + 1 < len(self.source):
                self.at += 2
                continue
            if ch.isspace() or ch == ")":
                break
            if ch == "(" and self.at > start and not self.source[start:].startswith("re:"):
                self.fail("'(' inside a word: put a space before the group")
            self.at += 1
        return self.source[start : self.at]

    def _single(self, text: str) -> Words | Ref | Re | Builtin:
        if text.startswith("re:"):
            body = text[3:]
            if not body:
                self.fail("empty re: pattern")
            try:
                re.compile(body)
            except (re.error, OverflowError, RecursionError) as exc:
                self.fail(f"re:{body} does not compile: {exc}")
            return Re(body)
        if text.startswith("<"):
            if not text.endswith(">"):
                self.fail(f"a vocabulary is written <name>, not {text!r}")
            name = text[1:-1]
            if not NAME.match(name):
                self.fail(f"vocabulary names are lower-case words joined by '-', not {name!r}")
            return Builtin(name) if name in BUILTINS else Ref(name)
        inflect = text.endswith("+") and not text.endswith("\\+")
        if inflect:
            text = text[:-1]
        if "?" in text.replace("\\?", "") or "+" in text.replace("\\+", ""):
            self.fail(f"'?' or '+' inside {text!r}: write \\? or \\+ for the character itself")
        literal = text.replace("\\", "")
        found = tuple(tokens.words(literal))
        if not found:
            self.fail(f"{text!r} has no word in it")
        if inflect and not found[-1].isalpha():
            self.fail(f"'+' (any form) needs a word, not {found[-1]!r}")
        return Words(found, inflect)


def _split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if text[i] == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


# ------------------------------------------------------------------------------------------------ compiling


Needs = tuple[frozenset[str], ...]  # each set: one of these words must occur ("needs" of a match)


@dataclass(frozen=True, slots=True)
class Compiled:
    """A pattern as a regular expression over the token stream, with the words any match needs."""

    regex: str
    needs: Needs  # every match contains at least one word of each set
    groups: frozenset[str] = field(default_factory=frozenset)  # vocabulary names captured as groups
    first: frozenset[str] | None = None  # the words a match can start with (None: it could be any)
    at_start: bool = False  # only at the start of a sentence (^)
    # The first two words of every match: (w1, w2), (w1, "*") when any word may follow w1, (w1, "$") when a
    # match can be w1 alone. None when a match may begin with any word.
    heads: frozenset[tuple[str, ...]] | None = None

    def follow(self) -> dict[str, frozenset[str] | None] | None:
        """First word -> the words that can come second (None: any). The matcher skips a start whose next
        word is not among them, so "the" opening "the flu" is not tried before "the results"."""
        if self.heads is None:
            return None
        out: dict[str, set[str] | None] = {}
        for head in self.heads:
            w1 = head[0]
            if w1 == ANY_WORD:
                return None
            seconds = out.setdefault(w1, set())
            if len(head) < 2 or head[1] in (ANY_WORD, END):
                out[w1] = None
            elif seconds is not None:
                seconds.add(head[1])
        return {w: (None if s is None else frozenset(s)) for w, s in out.items()}


ANY_WORD = "*"  # in heads: any word
END = "$"  # in heads: the words end here
_HEADS_LIMIT = 5000  # beyond this many beginnings a pattern is not worth filtering by its second word


Resolver = Callable[[str], Compiled]  # vocabulary name -> its compiled alternation


def group_name(vocabulary: str) -> str:
    """The regex group (and message field) a vocabulary's words are captured in: ``<weight-loss>`` ->
    ``weight_loss``."""
    return vocabulary.replace("-", "_")


def compile_seq(seq: Seq, resolve: Resolver, *, capture: bool = True) -> Compiled:
    parts: list[str] = []
    needs: list[frozenset[str]] = []
    groups: set[str] = set()
    for item in seq.items:
        body, item_needs, item_groups = _compile_node(item.node, resolve, capture)
        groups |= item_groups
        if item.optional:
            parts.append(f"(?:{body})?")
        else:
            parts.append(body)
            needs.extend(item_needs)
    at_start = bool(seq.items) and seq.items[0].node == Builtin("start")
    first = _first_words(seq.items[1:] if at_start else seq.items, resolve)
    heads = _seq_heads(seq.items, resolve, 2)
    return Compiled("".join(parts), tuple(needs), frozenset(groups), first, at_start, heads)


def _seq_heads(items: tuple[Item, ...], resolve: Resolver, k: int) -> frozenset[tuple[str, ...]] | None:
    """The first ``k`` words of every match of ``items`` (see ``Compiled.heads``); a shorter one ends in END
    when the items can end sooner. None when there are too many to be worth it."""
    partial: set[tuple[str, ...]] = {()}  # beginnings so far, still short of k words
    out: set[tuple[str, ...]] = set()
    for item in items:
        grown: set[tuple[str, ...]] = set()
        for pre in partial:
            found = _item_heads(item, resolve, k - len(pre))
            if found is None:
                return None
            for head in found:
                if head[-1] == END:
                    grown.add(pre + head[:-1])  # the item is done: the next one goes on
                else:
                    out.add(pre + head)
            if item.optional:
                grown.add(pre)
        out |= {p for p in grown if len(p) >= k}
        # A beginning that any word may already follow needs no more items: what they add, "*" holds.
        partial = {p for p in grown if len(p) < k and p + (ANY_WORD,) * (k - len(p)) not in out}
        if len(out) + len(partial) > _HEADS_LIMIT:
            return None
        if not partial:
            break
    out |= {p + (END,) for p in partial}
    return frozenset(out)


def _item_heads(item: Item, resolve: Resolver, k: int) -> frozenset[tuple[str, ...]] | set[tuple[str, ...]] | None:
    node = item.node
    if isinstance(node, Words):
        return {e[:k] if len(e) >= k else (*e, END) for e in _expansions(node)}
    if isinstance(node, Ref):
        heads = resolve(node.name).heads
        if heads is None:
            return None
        return heads if k >= 2 else {h[:1] if len(h) > 1 and h[1] != END else h for h in heads}
    if isinstance(node, Choice):
        out: set[tuple[str, ...]] = set()
        for option in node.options:
            found = _seq_heads(option.items, resolve, k)
            if found is None:
                return None
            out |= found
        return out
    if isinstance(node, Gap):
        return {(END,), (ANY_WORD,) * k}
    if node == Builtin("start"):
        return {(END,)}
    return {(ANY_WORD,) * k}  # <number>, <any>, re:


def _first_words(items: tuple[Item, ...], resolve: Resolver) -> frozenset[str] | None:
    """The words a match of ``items`` can start with; None when that could be any word."""
    out: set[str] = set()
    for item in items:
        node = item.node
        if isinstance(node, Words):
            found: frozenset[str] | None = _word_set(node, 0)
        elif isinstance(node, Ref):
            found = resolve(node.name).first
        elif isinstance(node, Choice):
            found = frozenset()
            for option in node.options:
                f = _first_words(option.items, resolve)
                if f is None:
                    return None
                found |= f
        else:  # a gap, a regex word, <any>, <number>: could start with anything
            return None
        if found is None:
            return None
        out |= found
        if not item.optional:
            return frozenset(out)
    return None  # every item is optional


def _compile_node(node: object, resolve: Resolver, capture: bool) -> tuple[str, list[frozenset[str]], set[str]]:
    if isinstance(node, Words):
        return _words_regex(node), [_word_set(node, i) for i in range(len(node.words))], set()
    if isinstance(node, Ref):
        compiled = resolve(node.name)
        if capture:
            return f"(?P<{group_name(node.name)}>{compiled.regex})", list(compiled.needs), {node.name, *compiled.groups}
        return f"(?:{compiled.regex})", list(compiled.needs), set(compiled.groups)
    if isinstance(node, Re):
        return f"(?=[^ ]+ )(?:{node.source}) ", [], set()
    if isinstance(node, Builtin):
        return _BUILTINS[node.name], [], set()
    if isinstance(node, Gap):
        # Every gap is captured as a group "gap" (numbered by stream_regex), so the engine can tell
        # the words a gap skipped from the words the pattern spelled: a "not" in a gap negates the claim.
        return f"(?P<gap>{_GAP_WORD}{{0,{node.most}}}?)", [], set()
    if isinstance(node, Choice):
        return _choice(node.options, resolve, capture)
    raise TypeError(node)  # pragma: no cover


def _choice(options: Iterable[Seq], resolve: Resolver, capture: bool) -> tuple[str, list[frozenset[str]], set[str]]:
    """An alternation. Plain word sequences go into a trie (shared beginnings are matched once, the longest
    first); the rest follow as ordinary alternatives."""
    literals: list[tuple[str, ...]] = []
    others: list[Compiled] = []
    for seq in options:
        spelled = _spell_out(seq)
        if spelled is not None:
            literals.extend(spelled)
        else:
            others.append(compile_seq(seq, resolve, capture=capture))
    branches = ([trie_regex(literals)] if literals else []) + [c.regex for c in others]
    # What any match needs: one word of the union of each branch's strongest need.
    union: set[str] = set()
    bounded = True
    for words in literals:
        union.add(words[0])
    for c in others:
        if not c.needs:
            bounded = False
            break
        union |= min(c.needs, key=len)
    groups = set().union(*(c.groups for c in others)) if others else set()
    return f"(?:{'|'.join(branches)})", ([frozenset(union)] if bounded and union else []), groups


_SPELL_LIMIT = 256  # word sequences one alternative may spell out into before it is compiled as it stands


def _spell_out(seq: Seq) -> list[tuple[str, ...]] | None:
    """Every word sequence ``seq`` matches, when it is made only of words, optional words and groups of them
    (and there are not too many): those go into the trie, where the longest always wins. None otherwise."""
    out: list[tuple[str, ...]] = [()]
    for item in seq.items:
        node = item.node
        if isinstance(node, Words):
            choices = _expansions(node)
        elif isinstance(node, Choice):
            choices = []
            for option in node.options:
                spelled = _spell_out(option)
                if spelled is None:
                    return None
                choices.extend(spelled)
        else:
            return None
        if item.optional:
            choices = [(), *choices]
        out = [a + b for a in out for b in choices]
        if len(out) > _SPELL_LIMIT:
            return None
    return [w for w in out if w]


def _expansions(node: Words) -> list[tuple[str, ...]]:
    if not node.inflect:
        return [node.words]
    from lint.inflect import forms

    return [(*node.words[:-1], form) for form in sorted(forms(node.words[-1]))]


def _word_set(node: Words, index: int) -> frozenset[str]:
    if node.inflect and index == len(node.words) - 1:
        from lint.inflect import forms

        return forms(node.words[-1])
    return frozenset((node.words[index],))


def _words_regex(node: Words) -> str:
    return trie_regex(_expansions(node)) if node.inflect else "".join(re.escape(w) + " " for w in node.words)


def trie_regex(sequences: Iterable[tuple[str, ...]]) -> str:
    """One regular expression for a set of word sequences: a trie of their characters, so "side effects" and
    "side effect free" share "side effect", a word is told from hundreds of others by its letters rather than
    one alternative at a time, and a longer continuation is tried before the sequence ends there (a match is
    as long as it can be)."""
    trie: dict = {}
    for seq in sequences:
        node = trie
        for char in "".join(word + " " for word in seq):
            node = node.setdefault(char, {})
        node[""] = {}  # a sequence ends here
    return _trie(trie) if trie else "(?!)"


def _trie(node: dict) -> str:
    prefix = ""
    while len(node) == 1 and "" not in node:  # a run of single letters is written out as it stands
        ((char, node),) = node.items()
        prefix += char
    ends = "" in node
    branches = [_escape(char) + _trie(node[char]) for char in sorted(c for c in node if c)]
    if not branches:
        return _escape(prefix)
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:  # greedy: the longer sequence first
        body = f"(?:{body})?"
    return _escape(prefix) + body


def _escape(text: str) -> str:
    return re.escape(text).replace("\\ ", " ")


_GROUP = re.compile(r"(?<!\\)\(\?P<(\w+)>")


def stream_regex(text: str) -> str:
    """``text`` with every named group made unique, as ``re`` wants: a gap is ``gap__1``, ``gap__2`` ...;
    a vocabulary used twice is ``condition`` then ``condition__2``."""
    seen: dict[str, int] = {}

    def number(m: re.Match[str]) -> str:
        base = base_name(m.group(1))
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 and base != "gap" else f"{base}__{seen[base]}"
        return f"(?P<{name}>"

    return _GROUP.sub(number, text)


def base_name(group: str) -> str:
    """The name a pattern gave a group, before :func:`stream_regex` numbered it."""
    return group.split("__", 1)[0]


def compile_pattern(source: str, resolve: Resolver) -> Compiled:
    """Parse and compile one pattern; the regex must match at a token start and cannot match nothing."""
    seq = parse(source)
    if _can_be_empty(seq.items, resolve):
        raise PatternError(f"pattern {source!r} can match no words at all: make at least one word required")
    compiled = compile_seq(seq, resolve)
    if compiled.at_start:  # the matcher tries it at the sentence's first word: the ^ itself spells nothing
        compiled = dataclasses.replace(compiled, regex=compile_seq(Seq(seq.items[1:]), resolve).regex)
    full = stream_regex("(?<![^ ])(?:" + compiled.regex + ")")  # compiled when first used (and cached compiled)
    return Compiled(full, compiled.needs, compiled.groups, compiled.first, compiled.at_start, compiled.heads)


def _can_be_empty(items: tuple[Item, ...], resolve: Resolver) -> bool:
    """Can ``items`` match without consuming a single word?"""
    for item in items:
        node = item.node
        if item.optional or isinstance(node, Gap) or node == Builtin("start"):
            continue
        if isinstance(node, Choice) and any(_can_be_empty(o.items, resolve) for o in node.options):
            continue
        if isinstance(node, Ref):
            heads = resolve(node.name).heads
            if heads is not None and (END,) not in heads:
                return False  # every entry needs a word
            if heads is not None or (resolve(node.name).first is None and not resolve(node.name).needs):
                continue  # an entry can be empty (or too many to tell): not worth refusing
        return False
    return True
