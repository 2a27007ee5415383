"""Reading JSON that a person typed or uploaded: nested deeper than any configuration is, it is
refused before it is parsed (Python's parser, and every walk over the document after it, would
otherwise end in a RecursionError, a 500 instead of an answer)."""

from __future__ import annotations

import json
import re

# A configuration document nests 5 levels; an Akeneo search filter 4. Far above both.
MAX_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def loads(text: str, *, max_depth: int = MAX_DEPTH):
    """`json.loads`, or ValueError saying why (not JSON, or nested deeper than `max_depth`)."""
    depth = deepest = 0
    # Brackets inside strings don't nest; strip the strings, then count what is left (linear).
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                raise ValueError(f"nested deeper than {max_depth} levels")
    return json.loads(text)
