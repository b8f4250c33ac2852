"""Names in the order Swedish readers expect them: a < … < z < å < ä < ö, whatever the
case, an accented letter with its base letter (é with e), and æ, ø and ü where Swedish
dictionaries put them (with ä, ö and y).

ICU's Swedish collator gives this order, but no package of it installs everywhere the
README's commands must work (PyICU needs ICU's headers and a compiler; pyicu-wheels has no
macOS wheels and no source), so the key is the Swedish alphabet, declared here once.
Letters decide the order; case and accents only break ties, so the order is total.
"""

from __future__ import annotations

import unicodedata

AFTER_Z = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"}
"""The letters that follow z, as the characters that follow "z" in Unicode, in order."""
AS_OTHER = {"ü": "y"}
"""The letters Swedish dictionaries file under another letter."""


def base_letters(letter: str) -> str:
    """The letter without its accents (é -> e)."""
    return "".join(c for c in unicodedata.normalize("NFD", letter)
                   if not unicodedata.combining(c))


def swedish_key(text: str) -> tuple[str, str, str]:
    """The sort key of `text` in Swedish order (compare keys, never show them)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    letters = "".join(AFTER_Z.get(c) or AS_OTHER.get(c) or base_letters(c) for c in folded)
    return letters, folded, text
