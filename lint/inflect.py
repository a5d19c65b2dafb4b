"""Every form of a word, for ``word+`` in the rule language: ``lose+`` is lose, loses, losing, lost.

Forms come from LemmInflect's English lexicon (a well-kept library; it is only imported while rule packs
are compiled, and the compiled packs are cached, so a normal run never loads it). A word written in any form
expands to the forms of each lemma it can be a form of ("lost+" = "lose+"). Words the lexicon does not know
are inflected by its rules for unknown nouns and verbs, after trying the word without a common prefix
("regrow" is "re" + "grow": regrew, regrown).
"""

from __future__ import annotations

from functools import cache

# Forms the lexicon leaves out that health copy uses.
_EXTRA = {"prove": ("proven",), "get": ("gotten",), "shrink": ("shrunken",), "strike": ("stricken",)}
_PREFIXES = ("re", "un", "over", "out", "mis", "pre", "co", "de", "dis", "under", "up")


@cache
def forms(word: str) -> frozenset[str]:
    """All forms of ``word`` (lower case), the word itself included."""
    import lemminflect  # imported here: only compiling a pack needs it

    word = word.lower()
    lemmas = {lemma for found in lemminflect.getAllLemmas(word).values() for lemma in found}
    out = {word}
    if lemmas:
        for lemma in lemmas:
            out.add(lemma)
            for found in lemminflect.getAllInflections(lemma).values():
                out.update(found)
            out.update(_EXTRA.get(lemma, ()))
        return frozenset(f.lower() for f in out)
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) > 2 and lemminflect.getAllLemmas(rest):
            return frozenset(prefix + f for f in forms(rest))
    for upos in ("NOUN", "VERB"):
        for found in lemminflect.getAllInflectionsOOV(word, upos).values():
            out.update(found)
    return frozenset(f.lower() for f in out)
