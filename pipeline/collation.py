"""Names in the order Swedish readers expect them: a < … < z < å < ä < ö, whatever the case,
an accented letter with its base letter (é with e) and ü with y, as the Swedish collation of
the Unicode CLDR says (ICU's `sv` collator, from the pyicu-wheels package, which bundles
ICU so that nothing needs ICU's headers or a compiler).

Letters decide the order; case and accents only break ties, so the order is total and the
same on every machine. ICU is loaded when a list is first sorted.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import icu

SWEDISH = "sv_SE"


@cache
def swedish_collator() -> icu.Collator:
    import icu

    return icu.Collator.createInstance(icu.Locale(SWEDISH))


def swedish_key(text: str) -> bytes:
    """The sort key of `text` in Swedish order (compare keys, never show them)."""
    return swedish_collator().getSortKey(text)

