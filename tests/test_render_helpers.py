"""What cleaning does to the values a template sees."""

from __future__ import annotations

from pipeline.documents.render import clean


def test_clean_copies_every_dict_and_list_and_cleans_every_string() -> None:
    row = {"namn": "Anna", "belopp": "1\u00a0500\u00a0kr", "text": "rad\nrad\ttabb 🦊"}
    dirty = {"namn": "An\x0bna", "text": "rad\r\nrad\rrad\x0c", "noll": "a\x00\x1f\ufffeb"}
    context = {"rader": [row, dirty], "projekt": row, "titel": ("a\x00", "b"), "antal": 3}
    cleaned = clean(context)
    assert cleaned == {"rader": [row, {"namn": "Anna", "text": "rad\nrad\nrad", "noll": "ab"}],
                       "projekt": row, "titel": ["a", "b"], "antal": 3}
    assert cleaned["projekt"] is not row and cleaned["rader"][0] is not row
    assert cleaned["rader"] is not context["rader"]
