"""Router pre-flight helpers: prepare without fetching, keys checked locally, lists for estimate/explain."""

from __future__ import annotations

from typing import Any

import pytest

import tryon
from tryon.errors import InvalidInputError, InvalidOptionError, MissingCredentialsError, UnsupportedOptionError
from tryon.testing.synth import synth_image


def test_prepare_without_fetching_checks_local_inputs_and_keeps_urls(router: Any, tmp_path: Any) -> None:
    (tmp_path / "p.png").write_bytes(synth_image(512, 512, "png", transparent=False, seed_text="p"))
    (tmp_path / "m.png").write_bytes(synth_image(512, 256, "png", transparent=True, seed_text="m"))
    url = "https://example.com/a.png"
    _, request, _ = router.prepare(tryon.Operation.EDIT, "x", "gpt-image-1.5", images=[str(tmp_path / "p.png"), url],
                                   fetch=False)
    assert request.images[1] == url and request.images[0].width == 512
    with pytest.raises(InvalidInputError, match="image 1 of 2"):
        router.prepare(tryon.Operation.EDIT, "x", "gpt-image-1.5", images=[str(tmp_path / "m.png")[:-4] + "x.png", url],
                       fetch=False)
    with pytest.raises(InvalidInputError, match="mask"):  # checked against the first, local image
        router.prepare(tryon.Operation.EDIT, "x", "gpt-image-1.5", images=[str(tmp_path / "p.png"), url],
                       mask=str(tmp_path / "m.png"), fetch=False)
    # the first image is a URL: the mask is still loaded and checked on its own
    router.prepare(tryon.Operation.EDIT, "x", "gpt-image-1.5", images=[url], mask=str(tmp_path / "m.png"),
                   fetch=False)


def test_check_credentials_needs_no_network(router: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for model in ("gpt-image-1.5", "flux-2-pro", "gemini-2.5-flash-image"):
        with pytest.raises(MissingCredentialsError):
            router.check_credentials(router.get(model))
    monkeypatch.setenv("GEMINI_API_KEY", "k")
    router.check_credentials(router.get("gemini-2.5-flash-image"))


def test_estimate_and_explain_take_preference_lists(router: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    monkeypatch.setenv("BFL_API_KEY", "k")
    estimate = router.estimate("x", model=["flux-2-pro", "gpt-image-1.5"], background="transparent")
    assert estimate.model == "gpt-image-1.5"  # FLUX cannot make a transparent background
    assert tryon.estimate("x", model=["gpt-image-1.5"]).model == "gpt-image-1.5"
    assert router.explain(["flux-2-pro", "gpt-image-1.5"], background="transparent") == []
    reasons = router.explain(["flux-2-pro", "flux-2-flex"], background="transparent")
    assert len(reasons) == 2 and "flux-2-pro" in reasons[0]
    with pytest.raises(UnsupportedOptionError):
        router.estimate("x", model="flux-2-pro", background="transparent")


def test_unknown_provider_names_are_refused_listing_providers(router: Any) -> None:
    with pytest.raises(InvalidOptionError,
                       match=r"did you mean 'bfl'.*known providers: bedrock, bfl, fal, gemini, openai"):
        router.models(provider="bfll")
    assert {m.provider for m in router.models(provider="flux")} == {"bfl"}  # the plugin's name
    with pytest.raises(InvalidOptionError, match="known providers"):
        tryon.Router(settings={"opneai": {"api_key": "k"}})
    r = tryon.Router(settings={"flux": {"api_key": "k"}})
    r.check_credentials(r.get("flux-2-pro"))


def test_a_misspelt_option_gets_a_did_you_mean(router: Any) -> None:
    with pytest.raises(UnsupportedOptionError, match="did you mean 'size'"):
        router.check(router.build_request(tryon.Operation.GENERATE, "x", {"sizee": "1024x1024"}), "gpt-image-1.5")
    with pytest.raises(UnsupportedOptionError, match="did you mean 'guidance'"):
        router.check(router.build_request(tryon.Operation.GENERATE, "x", {"guidanse": 3}), "flux-2-flex")


def test_fill_without_a_mask_is_refused_from_the_declaration(router: Any, bfl_emulator: Any, tmp_path: Any) -> None:
    (tmp_path / "p.png").write_bytes(synth_image(512, 512, "png", transparent=False, seed_text="p"))
    assert router.info("flux-pro-1.0-fill").capabilities.mask_required
    with pytest.raises(UnsupportedOptionError, match="needs a mask"):
        tryon.edit(str(tmp_path / "p.png"), "x", model="flux-pro-1.0-fill")
    assert bfl_emulator.requests == []
    with pytest.raises(ValueError, match="mask_required needs mask=True"):
        tryon.Capabilities(operations={tryon.Operation.EDIT}, max_input_images=1, mask_required=True)
