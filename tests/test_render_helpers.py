"""What the direct writer and the context cleaning do per value, against what they stand for.

`listing_resolved` is docxtpl's `resolve_listing` found without regular expressions; it
is compared with docxtpl's own on generated paragraphs, runs, texts and stray tags.
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest
from docxtpl import DocxTemplate
from jinja2 import UndefinedError
from markupsafe import Markup

from pipeline.documents.canonical import (
    NotCovered,
    direct_environment,
    listing_resolved,
    plain_text,
)
from pipeline.documents.render import clean, clean_text, strict_environment

STRAY = ["<w:p>", "<w:p ", "</w:p>", "<w:pPr>", "</w:pPr>", "<w:r>", "<w:r ", "</w:r>",
         "<w:rPr>", "</w:rPr>", "<w:t>", "<w:t ", "</w:t>", ">", "<", "\n", "\t", "\a", "\f"]


def text(rng: random.Random) -> str:
    return "".join(rng.choice(["a", "ö", " ", "&amp;", "\n", "\t", "\a", "\f", "%s", "–"])
                   for _ in range(rng.randint(0, 8)))


def properties(rng: random.Random, tag: str) -> str:
    inner = "".join(rng.choice(['<w:b/>', '<w:sz w:val="18"/>', "\n", "x"])
                    for _ in range(rng.randint(0, 3)))
    return rng.choice(["", f"<{tag}>{inner}</{tag}>", f'<{tag} w:a="1">{inner}</{tag}>'])


def run(rng: random.Random) -> str:
    parts = [properties(rng, "w:rPr")]
    for _ in range(rng.randint(0, 3)):
        parts.append(rng.choice([f"<w:t>{text(rng)}</w:t>",
                                 f'<w:t xml:space="preserve">{text(rng)}</w:t>',
                                 "<w:tab/>", "<w:br/>"]))
    return rng.choice(["<w:r>", '<w:r w:rsidR="1">']) + "".join(parts) + "</w:r>"


def paragraphs(rng: random.Random) -> str:
    parts = [rng.choice(["<w:p>", '<w:p w:rsidR="1">']) + properties(rng, "w:pPr")
             + "".join(run(rng) for _ in range(rng.randint(0, 3))) + "</w:p>"
             for _ in range(rng.randint(0, 3))]
    for _ in range(rng.randint(0, 2)):
        parts.insert(rng.randint(0, len(parts)), rng.choice(STRAY))
    xml = "".join(parts)
    if xml and rng.random() < 0.3:
        at = rng.randrange(len(xml))
        xml = xml[:at] + rng.choice(STRAY) + xml[at:]
    return xml


def test_listing_resolved_is_docxtpls_resolve_listing() -> None:
    docxtpl = DocxTemplate.__new__(DocxTemplate)  # resolve_listing reads nothing of it
    rng = random.Random(6)
    changed = 0
    for _ in range(4000):
        xml = paragraphs(rng)
        assert listing_resolved(xml) == docxtpl.resolve_listing(xml), xml
        changed += docxtpl.resolve_listing(xml) != xml
    assert changed > 1000  # the cases are ones docxtpl changes, not only ones it leaves


@pytest.mark.parametrize("value", ["Kvalitet & <ekonomi>", "a \"citat\" 'så'", "rad\nrad",
                                   "1\u00a0234\u00a0kr", ""])
def test_plain_text_escapes_as_lxml_each_time(value: str) -> None:
    expected = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert plain_text(value) == plain_text(value) == expected
    assert plain_text(12) == "12"


@pytest.mark.parametrize("value", ["bell\x07", "cr\r", Markup("<b>fet</b>")])
def test_plain_text_refuses_what_the_proof_does_not_cover_each_time(value: str) -> None:
    for _ in range(2):
        with pytest.raises(NotCovered):
            plain_text(value)


def test_clean_copies_every_dict_and_list_and_cleans_every_string() -> None:
    row = {"namn": "Anna", "belopp": "1\u00a0500\u00a0kr", "text": "rad\nrad"}
    dirty = {"namn": "An\x0bna", "text": "rad\r\nrad"}
    context = {"rader": [row, dirty], "projekt": row, "titel": ("a\x00", "b")}
    cleaned = clean(context)
    assert cleaned == {"rader": [row, {"namn": "Anna", "text": "rad\nrad"}],
                       "projekt": row, "titel": ["a", "b"]}
    assert cleaned["projekt"] is not row and cleaned["rader"][0] is not row
    assert cleaned["rader"] is not context["rader"]
    assert clean_text("a\r\nb\rc\x0c") == "a\nb\nc"


class Row(dict):  # type: ignore[type-arg]
    """A dict subclass with an attribute of the same name as one of its keys."""

    a = "attribute"


@pytest.mark.parametrize("value", [{"a": "item", "b": {"c": 1}}, {"a": "", "keys": "key"},
                                   Row(a="item"), SimpleNamespace(a="attribute", b={"c": 2})])
def test_direct_templates_read_values_as_jinja_does(value: Any) -> None:
    source = "{{ r.a }}|{% if r.b is defined %}{{ r.b.c }}{% endif %}|{{ r.keys is string }}"
    plain = strict_environment()
    direct = direct_environment(plain)
    expected = plain.from_string(source).render(r=value)
    assert direct.from_string(source).render(r=value) == expected
    with pytest.raises(UndefinedError):
        direct.from_string("{{ r.missing }}").render(r=value)
