"""Required literals of a regex: strings one of which must occur in any text the regex matches.

The prefilter does not hand rule patterns to Hyperscan as they are: Hyperscan's ``\\w``, ``\\b`` and
caseless semantics differ from the ``regex`` module's Unicode ones (combining marks, ``K``...), and any
difference would silently drop findings. Instead each pattern is reduced here, conservatively, to a
*condition*: a list of factors that must all occur, each factor a set of lower-case ASCII strings of which one
must occur (as a substring, ignoring ASCII case). Anything not understood makes a pattern *unconstrained*
(``None``): it is tried on every sentence. So a condition can only be too permissive, never too strict.

Patterns are parsed with the standard library's ``re`` parser. Constructs whose meaning differs between
``re`` and ``regex`` (fuzzy ``{e<=1}``, POSIX or nested sets, ``V1``/full case folding) are refused up front;
constructs ``re`` does not know (``\\p{..}``, variable look-behind, ...) fail to parse and are refused too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

try:  # Python 3.11+
    from re import _constants as C  # noqa: N812
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]  # noqa: N812
    import sre_parse  # type: ignore[no-redef]

Condition = tuple[frozenset[str], ...]  # all factors must occur, in this order, without overlapping; one string of each

MAX_SET = 128  # strings in one exact set before it is given up (cross products grow fast)
MAX_LEN = 40  # a required string longer than this is cut: any substring of it is required too
MIN_RARITY = 2.0  # a pattern whose best factor is commoner than this (see _rarity) is not worth scanning for
# In analysed strings: where the text around must not be a word character (ASCII letters, digits, "_"; any
# other character may count as a non-word one, which only lets more through).
BOUNDARY = "\x00"
_NOT_INSIDE_WORD = "\x01"  # \b or (?!(?<=\w)\w): a boundary when the character beside it is a word one
_LEFT_NONWORD = "\x02"  # (?<!\w): what comes before is not a word character
_RIGHT_NONWORD = "\x03"  # (?!\w): what comes after is not a word character
_MARKS = "\x01\x02\x03"
_DROP_MARKS = str.maketrans("", "", _MARKS)
COMMON_WORDS = """
the of and to a in is it you that he was for on are with as i his they be at one have this from or had by
not but what some we can out other were all there when up use your how said an each she which do their
time if will way about many then them would write like so these her long make thing see him two has look
more day could go come did number sound no most people my over know water than call first who may down
side been now find any new work part take get place made live where after back little only round man year
came show every good me give our under name very through just form great think say help low line before
turn cause same mean differ move right boy old too does tell sentence set three want air well also play
small end put home read hand large add even land here must big high such follow act why ask men change
went light kind off need house try us again animal point mother world near build self earth father head
stand own page should country found answer school grow study still learn plant food sun four thought let
keep eye never last door between city tree cross since hard start might story saw far sea draw left late
run while press close night real life few stop open seem together next white children begin got walk
example ease paper often always music those both mark book letter until mile river car feet care second
group carry took rain eat room friend began idea fish mountain north once base hear horse cut sure watch
color face wood main enough plain girl usual young ready above ever red list though feel talk bird soon
body dog family direct leave song measure state product black short numeral class wind question happen
complete ship area half rock order fire south problem piece told knew pass farm top whole king size heard
best hour better true during hundred am remember step early hold west ground interest reach fast five
sing listen six table travel less morning ten simple several vowel toward war lay against pattern slow
center love person money serve appear road map science rule govern pull cold notice voice fall power town
fine certain fly unit lead cry dark machine note wait plan figure star box noun field rest correct able
pound done beauty drive stood contain front teach week final gave green oh quick develop sleep warm free
minute strong special mind behind clear tail produce fact street inch lot nothing course stay wheel full
force blue object decide surface deep moon island foot yet busy test record boat common gold possible
plane age dry wonder laugh thousand ago ran check game shape yes hot miss brought heat snow bed bring sit
perhaps fill east weight language among patient patients clinic health care doctor treatment visit office
appointment medical team staff insurance provider nurse today month months week weeks year years please
call contact information questions available offer offers service services program support family
patient's results help safe therapy
"""
STRONG = 3.0  # a factor this rare is looked for by the scan; the others are checked where it was found
WEAKEST = 1.0  # an alternative's factor must be at least this rare for the alternation to have one
MAX_FACTORS = 6  # factors of a condition when the scanner checks them itself
_SMALL_CLASS = 4  # a character class of at most this many characters counts as alternatives
_SMALL_REPEAT = 4  # x{1,3}: the repeats are spelled out as alternatives

# Characters the regex module matches against an ASCII letter when ignoring case. The scanned text maps them
# to that letter, so the caseless ASCII literals see what the regex sees (tests/test_speed_paths.py checks
# this table against the regex module).
CASE_SPECIALS = {"\u0130": "i", "\u212a": "k", "\u017f": "s"}
CASE_TABLE = str.maketrans(CASE_SPECIALS)
# Non-ASCII characters with no other case: literals may hold them (tests check the regex module agrees).
CASELESS_SYMBOLS = frozenset(
    "\u2014\u2013\u2012\u2015\u2026\u2022\u00b7\u00b0\u00b1\u00d7\u00f7\u00ae\u2122\u00a9\u20ac"
    "\u00a3\u00a2\u00a7\u00b6\u2030\u2032\u2033\u00ab\u00bb\u00bf\u00a1\u2192\u2713\u2605"
)

_UNSAFE_FLAGS = 0
try:
    import regex as _regex

    _UNSAFE_FLAGS = _regex.V1 | _regex.FULLCASE | _regex.REVERSE | _regex.BESTMATCH | _regex.ENHANCEMATCH | _regex.POSIX
except ImportError:  # pragma: no cover - regex is a dependency
    pass
_QUANTIFIER = re.compile(r"\{\d*(?:,\d*)?\}")
_VERSION_FLAG = re.compile(r"\(\?[a-zA-Z-]*V")
_NAMED_GROUP = re.compile(r"\(\?<[A-Za-z_]")


@dataclass
class _Info:
    """What is known of the strings a sub-pattern matches: all of them (``exact``) or required pieces."""

    exact: frozenset[str] | None
    factors: list[frozenset[str]] = field(default_factory=list)


_EMPTY = _Info(frozenset({""}))
_ANY = _Info(None)


@functools.lru_cache(maxsize=4096)
def required(source: str, flags: int = 0) -> Condition | None:
    """Every factor of ``source`` in match order, or None when nothing is known to be required."""
    items = _parse(source, flags)
    if items is None:
        return None
    try:
        info = _sequence(items)
    except _ANALYSIS_ERRORS:
        return None
    factors = [*info.factors, info.exact] if info.exact is not None else info.factors
    finished = [frozenset(_finish(s) for s in f) for f in factors]
    return tuple(_minimal(f) for f in finished if f and "" not in f) or None


def condition(source: str, flags: int = 0) -> Condition | None:
    """What a text must contain for ``source`` to match in it: its best factors up to MAX_FACTORS that are
    not everywhere (" ", "a"), in match order; or None: try the pattern on every sentence. Several common
    factors together are rare, and the common ones are only checked where the rare ones were found."""
    factors = required(source, flags)
    if factors is None:
        return None
    ranked = sorted(range(len(factors)), key=lambda i: _score(factors[i]), reverse=True)
    keep = [i for i in ranked[:MAX_FACTORS] if _score(factors[i])[0] >= WEAKEST] or ranked[:1]
    return tuple(factors[i] for i in sorted(keep))


_ANALYSIS_ERRORS = (re.error, RecursionError, OverflowError, ValueError, TypeError, IndexError)


def _parse(source: str, flags: int) -> list | None:
    """``re``'s parse of ``source``, or None where ``re`` could read it with another meaning than ``regex``
    (or cannot read it at all)."""
    spelled = None if flags & _UNSAFE_FLAGS else _for_re(source)
    if spelled is None:
        return None
    try:
        return list(sre_parse.parse(spelled, re.VERBOSE if flags & re.VERBOSE else 0))
    except _ANALYSIS_ERRORS:
        return None


def _finish(raw: str) -> str:
    """A raw required string (with word-boundary marks from the analysis) -> the string to look for, with
    ``BOUNDARY`` first or last where the text must not continue a word there ("" when nothing is left)."""
    text = raw.strip(_MARKS)
    if not text:
        return ""
    head, tail = raw[: len(raw) - len(raw.lstrip(_MARKS))], raw[len(raw.rstrip(_MARKS)) :]
    left = _LEFT_NONWORD in head or (_NOT_INSIDE_WORD in head and _is_word(text[0]))
    right = _RIGHT_NONWORD in tail or (_NOT_INSIDE_WORD in tail and _is_word(text[-1]))
    text = text.translate(_DROP_MARKS)  # a mark inside the string: not worth keeping
    return f"{BOUNDARY if left else ''}{text}{BOUNDARY if right else ''}"


def _is_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def strip_boundaries(literal: str) -> tuple[str, bool, bool]:
    """(the characters to find, must not follow a word character, must not be followed by one)."""
    text = literal.strip(BOUNDARY)
    return text, literal.startswith(BOUNDARY), literal.endswith(BOUNDARY)


def _for_re(source: str) -> str | None:
    """``source`` spelled for ``re``'s parser, or None when ``re`` could read it with another meaning."""
    out: list[str] = []
    i, in_class, class_start, n = 0, False, False, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "[" or source.startswith(("--", "&&", "||", "~~"), i):
                return None  # a POSIX class or a set operation
            in_class = c != "]" or class_start
            class_start = False
        elif c == "[":
            in_class, class_start = True, not source.startswith("^", i + 1)
            if not class_start:
                out.append("[^")
                i, class_start = i + 2, True
                continue
        elif c == "{" and not _QUANTIFIER.match(source, i):
            return None  # fuzzy matching, or a brace that is not worth the doubt
        elif source.startswith("(?", i):
            if _VERSION_FLAG.match(source, i):
                return None
            if _NAMED_GROUP.match(source, i):  # regex also spells (?P<name> as (?<name>
                out.append("(?P<")
                i += 3
                continue
        out.append(c)
        i += 1
    return None if in_class else "".join(out)


def _rarity(literal: str) -> float:
    """How seldom ``literal`` is likely to occur in prose: letters and spaces are everywhere, "#1" or "%" are
    not, and a piece of a common word ("you", " mo" of " more ") is worth half its length."""
    weight = sum(_CHAR_WEIGHT.get(ch, 2.0 if ch.isdigit() else 3.0) for ch in literal)
    return weight / 2 if literal.replace(BOUNDARY, " ") in _common_pieces() else weight


_CHAR_WEIGHT = {
    **dict.fromkeys("abcdefghijklmnopqrstuvwxyz ", 1.0),
    **dict.fromkeys(".,;:'-", 0.75),
    BOUNDARY: 1.0,
    **dict.fromkeys(_MARKS, 0.0),  # a raw mark during the analysis: says where, not what
}


@functools.lru_cache(maxsize=1)
def _common_pieces() -> frozenset[str]:
    """Every substring of " word " for the commonest words of English prose and of clinic sites."""
    pieces = set()
    for word in COMMON_WORDS.split():
        padded = f" {word} "
        pieces.update(padded[i:j] for i in range(len(padded)) for j in range(i + 1, len(padded) + 1))
    return frozenset(pieces)


def _useful(factor: frozenset[str]) -> bool:
    return _score(factor)[0] >= MIN_RARITY


def bare_score(factor: frozenset[str]) -> float:
    """How rare a factor is without its boundaries (as scanners look for it): its commonest string's."""
    return min(_rarity(s.strip(BOUNDARY)) for s in factor)


def _score(factor: frozenset[str]) -> tuple[float, int]:
    return (min(_rarity(s) for s in factor), -len(factor))


def _minimal(factor: frozenset[str]) -> frozenset[str]:
    """Drop strings containing another string of the set: the shorter one already has to occur."""
    kept: list[str] = []
    for s in sorted({s[:MAX_LEN] for s in factor}, key=len):  # only a shorter string can be inside another
        if not any(t in s for t in kept):
            kept.append(s)
    return frozenset(kept)


def _cross(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    if len(a) * len(b) > MAX_SET:
        return None
    return frozenset(x + y for x, y in product(a, b))


def _sequence(items: Sequence) -> _Info:
    """A concatenation: runs of exactly known pieces join into required strings."""
    run: frozenset[str] | None = frozenset({""})
    factors: list[frozenset[str]] = []  # in the order they occur in a match
    broken = False
    for op, av in _joined_literals(items):
        info = _Info(frozenset({av})) if op is _TEXT else _node(op, av)
        joined = None if run is None or info.exact is None else _cross(run, info.exact)
        if joined is not None:
            run = joined  # the run says all the node's factors say
            continue
        broken = True
        if _required(run):
            factors.append(run)
        factors.extend(info.factors)
        run = info.exact
    if not broken:
        return _Info(run)
    if _required(run):
        factors.append(run)  # type: ignore[arg-type]
    return _Info(None, factors)


_TEXT = object()  # a run of literal characters, joined before the cross products


def _joined_literals(items: Sequence) -> Iterable[tuple[Any, Any]]:
    """The items, with consecutive literal characters as one (_TEXT, string) item: one cross product
    per run instead of one per character."""
    text: list[str] = []
    for op, av in items:
        if op is C.LITERAL and _literal_char(av):
            text.append(_char(av))
            continue
        if text:
            yield _TEXT, "".join(text)
            text = []
        yield op, av
    if text:
        yield _TEXT, "".join(text)


def _node(op, av) -> _Info:
    if op is C.LITERAL:
        return _Info(frozenset({_char(av)})) if _literal_char(av) else _ANY
    if op is C.IN:
        return _char_class(av)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return _Info(frozenset({_mark(op, av)}))  # zero width: adds nothing to the matched text
    if op is C.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    if op is C.BRANCH:
        return _branch([_sequence(list(b)) for b in av[1]])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        return _repeat(av[0], av[1], _sequence(list(av[2])))
    return _ANY  # ANY, NOT_LITERAL, GROUPREF, conditionals, ...


_WORD_CLASS = [(C.IN, [(C.CATEGORY, C.CATEGORY_WORD)])]


def _mark(op, av) -> str:
    """The boundary mark of a zero-width assertion, or "" for any other."""
    if op is C.AT:
        return _NOT_INSIDE_WORD if av is C.AT_BOUNDARY else ""
    if op is not C.ASSERT_NOT:
        return ""
    direction, body = av[0], _plain(av[1])
    if body == _WORD_CLASS:
        return _LEFT_NONWORD if direction < 0 else _RIGHT_NONWORD
    if direction > 0 and body == [(C.ASSERT, (-1, _WORD_CLASS)), *_WORD_CLASS]:
        return _NOT_INSIDE_WORD
    return ""


def _plain(items) -> list:
    """Parsed items as nested lists and tuples, comparable with ==."""
    out = []
    for op, av in items:
        if op in (C.ASSERT, C.ASSERT_NOT):
            av = (av[0], _plain(av[1]))
        elif op is C.IN:
            av = list(av)
        out.append((op, av))
    return out


def _literal_char(code: int) -> bool:
    """Can a scanner look for this character as a literal, ignoring ASCII case only?"""
    return 10 < code < 128 or chr(code) in CASELESS_SYMBOLS  # newlines separate the scanned texts


def _char(code: int) -> str:
    return chr(code).lower() if code < 128 else chr(code)


def _char_class(items) -> _Info:
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL and _literal_char(av):
            chars.add(_char(av))
        elif op is C.RANGE and 10 < av[0] and av[1] < 128 and av[1] - av[0] < _SMALL_CLASS:
            chars.update(chr(c).lower() for c in range(av[0], av[1] + 1))
        else:
            return _ANY  # negation, categories, non-ASCII: any character as far as we know
    return _Info(frozenset(chars)) if len(chars) <= _SMALL_CLASS else _ANY


def _branch(options: list[_Info]) -> _Info:
    if all(o.exact is not None for o in options):
        union = frozenset().union(*(o.exact for o in options))  # type: ignore[arg-type]
        if len(union) <= MAX_SET:
            return _Info(union)
    best = [_best_factor(o) for o in options]
    if any(b is None for b in best):
        return _ANY
    return _Info(None, [frozenset().union(*best)])  # type: ignore[arg-type]


def _best_factor(info: _Info) -> frozenset[str] | None:
    """The option's most selective factor; a weak one beats none (then the whole alternation has none)."""
    candidates = [f for f in [*info.factors, info.exact] if _required(f) and _score(f)[0] >= WEAKEST]
    return max(candidates, key=_score) if candidates else None


def _required(strings: frozenset[str] | None) -> bool:
    """Does every string say something (not just nothing, or only boundary marks)?"""
    return strings is not None and all(s.strip(_MARKS) for s in strings)


def _repeat(low: int, high: int, inner: _Info) -> _Info:
    if high == 0:
        return _EMPTY
    if low == 0:
        if high == 1 and inner.exact is not None:
            return _Info(inner.exact | {""})
        return _ANY
    if inner.exact is not None and high <= _SMALL_REPEAT:
        exact = _powers(inner.exact, low, high)
        if exact is not None:
            return _Info(exact)
    factors = list(inner.factors)
    if _required(inner.exact):
        factors.append(inner.exact)  # type: ignore[arg-type]
    return _Info(None, factors)


def _powers(base: frozenset[str], low: int, high: int) -> frozenset[str] | None:
    """Every string of ``low`` to ``high`` repeats of ``base``, or None when there are too many."""
    out: set[str] = set()
    power: frozenset[str] | None = frozenset({""})
    for count in range(1, high + 1):
        power = _cross(power, base) if power is not None else None
        if power is None:
            return None
        if count >= low:
            out |= power
    return frozenset(out) if len(out) <= MAX_SET else None


# --------------------------------------------------------------------------- word edges


def word_edges(source: str, flags: int = 0) -> tuple[bool, bool]:
    """(every match of ``source`` surely starts with a word character, surely ends with one).

    Where it does, "not inside a word" at that edge, ``(?!(?<=\\w)\\w)``, says exactly what ``\\b`` says, and
    the ``regex`` module searches with ``\\b`` about twice as fast. Unsure (syntax ``re`` reads differently, a
    class with non-word members, ``.``) is False."""
    items = _parse(source, flags)
    if items is None:
        return False, False
    try:
        (starts, empty), (ends, _) = _edge(items, first=True), _edge(items, first=False)
    except _ANALYSIS_ERRORS:
        return False, False
    return (False, False) if empty else (starts, ends)  # an empty match has no characters at its edges


_WORD_CATEGORIES = frozenset({C.CATEGORY_WORD, C.CATEGORY_DIGIT})


def _edge(items: list, first: bool) -> tuple[bool, bool]:
    """(the first - or last - character consumed is surely a word character, the items may consume none)."""
    for op, av in items if first else reversed(items):
        word, empty = _edge_node(op, av, first)
        if not word:
            return False, False
        if not empty:
            return True, False
    return True, True


def _edge_node(op: Any, av: Any, first: bool) -> tuple[bool, bool]:
    if op is C.LITERAL:
        return _is_word(chr(av)), False
    if op is C.IN:
        return all(_word_member(o, a) for o, a in av), False
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return True, True  # zero width: the character comes from what follows
    if op is C.SUBPATTERN:
        return _edge(list(av[-1]), first)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _edge(list(av), first)
    if op is C.BRANCH:
        options = [_edge(list(b), first) for b in av[1]]
        return all(w for w, _ in options), any(e for _, e in options)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        if av[1] == 0:
            return True, True
        word, empty = _edge(list(av[2]), first)
        return word, empty or av[0] == 0
    return False, False


def _word_member(op: Any, av: Any) -> bool:
    if op is C.LITERAL:
        return _is_word(chr(av))
    if op is C.RANGE:
        return all(_is_word(chr(c)) for c in range(av[0], av[1] + 1))
    if op is C.CATEGORY:
        return av in _WORD_CATEGORIES
    return False
