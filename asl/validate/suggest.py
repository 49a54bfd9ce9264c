"""'Did you mean': the valid name closest to a misspelled field, operator, value or state name."""

from __future__ import annotations

from typing import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `word` (a difference of case first), or None when none is close."""
    names = sorted(c for c in candidates if isinstance(c, str) and c != word)
    lowered = word.lower()
    for name in names:
        if name.lower() == lowered:
            return name
    import difflib  # only a definition with a misspelling pays for it

    found = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: object, candidates: Iterable[str]) -> str:
    """" (did you mean 'X'?)" to append to a message, or "" when nothing is close."""
    if not isinstance(word, str):
        return ""
    found = closest(word, candidates)
    return f" (did you mean '{found}'?)" if found else ""
