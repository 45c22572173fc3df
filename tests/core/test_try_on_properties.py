"""Property tests of the try-on inputs a user writes: any category text and any prompt template
either work or are refused with a clear InvalidOptionError, never another exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tryon.errors import InvalidOptionError
from tryon.request import TryOnRequest
from tryon.vto import CATEGORIES, Garment, TryOnCapabilities
from tryon.vto.composition import render, template_problem

DECLARED = TryOnCapabilities.by_composition(4, mask=True)
_PIECES = st.sampled_from(["{person}", "{garments}", "{items}", "{count}", "{prompt}", "{", "}", "{{", "}}",
                           "{0}", "{items!r}", "{items:>10}", "{items[0]}", "{person.x}", "text ", "é", "\n"])


@given(st.text(max_size=30) | st.sampled_from(sorted(CATEGORIES)) | st.sampled_from(["Top", " one piece ", "T_op"]))
def test_any_category_text_is_a_category_or_a_clear_refusal(text: str) -> None:
    try:
        garment = Garment("shirt.png", text)
    except InvalidOptionError as exc:
        assert "garment category" in str(exc)
        return
    assert garment.category is None or garment.category in CATEGORIES


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_any_template_renders_or_is_refused(template: str) -> None:
    why = template_problem(template)
    try:
        request = TryOnRequest(person="p.png", garments=[Garment("a.png", "top"), "b.png"], prompt_template=template,
                               prompt="Studio light.")
    except InvalidOptionError as exc:  # a bad template, or one that would drop the prompt
        assert "prompt_template" in str(exc) and (why is not None or "no {prompt} field" in str(exc))
        return
    assert why is None
    text = render(request, DECLARED)
    assert isinstance(text, str) and text == text.strip() and "Studio light." in text
