"""Outputs: atomic saves that never clobber, real-format extensions, safe names, key-free sidecars,
contact sheets."""

from __future__ import annotations

import io
import json
import os
import stat
import threading
from pathlib import Path

import pytest
from media_helpers import image_bytes

from tryon.errors import InvalidInputError
from tryon.media import contact_sheet, load_image, safe_filename, save_bytes, scrub_metadata, write_sidecar
from tryon.secrets import Secret, remember

PNG = image_bytes("PNG", (20, 10))
JPEG = image_bytes("JPEG", (20, 10))


def leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.startswith(".tryon-")]


# --------------------------------------------------------------------------- save_bytes


def test_saving_into_a_directory_twice_gives_two_files(tmp_path: Path) -> None:
    first = save_bytes(PNG, "image/png", tmp_path)
    second = save_bytes(PNG, "image/png", tmp_path)
    assert (first.name, second.name) == ("image.png", "image-1.png")
    assert first.read_bytes() == PNG and second.read_bytes() == PNG
    assert leftovers(tmp_path) == []


def test_stem_is_made_safe(tmp_path: Path) -> None:
    path = save_bytes(PNG, "image/png", tmp_path, stem="../../etc/passwd")
    assert path.parent == tmp_path and path.name == "etc-passwd.png"


def test_directory_given_with_a_trailing_separator_is_created(tmp_path: Path) -> None:
    path = save_bytes(JPEG, "image/jpeg", f"{tmp_path}/new/sub/", stem="shot")
    assert path == tmp_path / "new" / "sub" / "shot.jpg"


def test_extension_comes_from_the_real_format(tmp_path: Path) -> None:
    # the provider said PNG, the bytes are JPEG
    assert save_bytes(JPEG, "image/png", tmp_path).name == "image.jpg"
    converted = save_bytes(JPEG, "image/png", tmp_path / "out.png")  # the name asks for PNG: converted
    assert converted.name == "out.png" and converted.read_bytes().startswith(b"\x89PNG")
    assert save_bytes(JPEG, None, tmp_path / "noext").name == "noext.jpg"
    assert (
        save_bytes(JPEG, None, tmp_path / "kept.jpeg").name == "kept.jpeg"
    )  # an equivalent spelling is kept
    assert save_bytes(b"\x00\x01 not an image", "image/webp", tmp_path / "claimed").name == "claimed.webp"
    assert save_bytes(b"\x00\x01 unknown", None, tmp_path).name == "image.bin"


def test_an_existing_file_is_not_overwritten_without_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "result.png"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_bytes(PNG, "image/png", target)
    assert target.read_bytes() == b"precious"
    assert save_bytes(PNG, "image/png", target, overwrite=True) == target
    assert target.read_bytes() == PNG
    assert leftovers(tmp_path) == []


def test_concurrent_saves_into_one_directory_never_collide(tmp_path: Path) -> None:
    payloads = [image_bytes("PNG", (10 + i, 10)) for i in range(24)]
    results: list[Path] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(payloads))

    def worker(data: bytes) -> None:
        barrier.wait()
        path = save_bytes(data, "image/png", tmp_path, stem="cat")
        with lock:
            results.append(path)

    threads = [threading.Thread(target=worker, args=(d,)) for d in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({p.name for p in results}) == len(payloads)
    assert sorted(p.read_bytes() for p in results) == sorted(payloads)
    assert leftovers(tmp_path) == []


def test_saved_files_get_normal_permissions(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    umask = os.umask(0o022)
    try:
        path = save_bytes(PNG, "image/png", tmp_path)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        save_bytes(PNG, "image/png", tmp_path)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cat", "cat"),
        ("My Photo (1)", "My-Photo-1"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c", "a-b-c"),
        (".hidden", "hidden"),
        ("...", "image"),
        ("", "image"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("café ☕ über", "cafe-uber"),
        ("  spaced  out  ", "spaced-out"),
        ("trailing.", "trailing"),
    ],
)
def test_safe_filename(text: str, expected: str) -> None:
    assert safe_filename(text) == expected


def test_safe_filename_length() -> None:
    name = safe_filename("x" * 500)
    assert len(name) == 80
    assert len(safe_filename("y" * 50, max_len=10)) == 10


# --------------------------------------------------------------------------- sidecars


def test_sidecar_is_written_next_to_the_image_without_secrets(tmp_path: Path) -> None:
    key = "sk-proj-THISISASECRETKEY1234567890"
    remember("custom-secret-value-xyz")
    image = save_bytes(PNG, "image/png", tmp_path)
    sidecar = write_sidecar(
        image,
        {
            "prompt": f"a cat (debug: {key})",
            "model": "gpt-image-2.6-sunburst",
            "api_key": key,
            "headers": {"Authorization": f"Bearer {key}", "X-Key": "bfl_abcdefghijkl", "Accept": "image/*"},
            "x-goog-api-key": "AIzaSyA-1234567890abcdefghijklmnop",
            "note": "uses custom-secret-value-xyz",
            "url": "https://results.example.com/img.png?sig=SIGNATURE123&se=2026",
            "proxy": "http://user:hunter2@proxy.local:3128",
            "client": Secret("another-secret-abcdef"),
            "usage": {"input_tokens": 12, "output_tokens": 34},
            "caption": "über schön",
            "size": (1024, 1024),
        },
    )
    assert sidecar == tmp_path / "image.png.json"
    text = sidecar.read_text(encoding="utf-8")
    for secret in (
        key,
        "bfl_abcdefghijkl",
        "AIzaSyA",
        "custom-secret-value-xyz",
        "SIGNATURE123",
        "hunter2",
        "another-secret",
    ):
        assert secret not in text
    data = json.loads(text)
    assert "api_key" not in data and "x-goog-api-key" not in data and "client" not in data
    assert data["headers"] == {"Accept": "image/*"}
    assert data["usage"] == {"input_tokens": 12, "output_tokens": 34}
    assert data["caption"] == "über schön" and "über" in text  # ensure_ascii=False
    assert data["size"] == [1024, 1024]
    assert list(data) == sorted(data)
    assert leftovers(tmp_path) == []


def test_sidecar_replaces_the_previous_one_only_when_asked(tmp_path: Path) -> None:
    image = save_bytes(PNG, "image/png", tmp_path)
    write_sidecar(image, {"n": 1})
    with pytest.raises(FileExistsError, match="not overwritten"):
        write_sidecar(image, {"n": 2})
    assert json.loads((tmp_path / "image.png.json").read_text())["n"] == 1
    path = write_sidecar(image, {"n": 2}, overwrite=True)
    assert json.loads(path.read_text())["n"] == 2


def test_a_users_file_in_the_sidecars_place_is_never_replaced(tmp_path: Path) -> None:
    import tryon

    (tmp_path / "y.png.json").write_text("USERDATA")
    image = tryon.GeneratedImage.from_bytes(PNG)
    with pytest.raises(FileExistsError):
        image.save(tmp_path, stem="y", sidecar=True)
    assert (tmp_path / "y.png.json").read_text() == "USERDATA" and (tmp_path / "y.png").is_file()


def test_scrub_metadata_handles_odd_values(tmp_path: Path) -> None:
    import datetime

    cleaned = scrub_metadata(
        {
            "when": datetime.datetime(2026, 1, 2, 3, 4, 5),
            "path": tmp_path,
            "blob": b"1234",
            "tags": {"b", "a"},
            "password": "x",
            "refresh_token": "y",
            "total_tokens": 5,
        }
    )
    assert cleaned["when"] == "2026-01-02T03:04:05"
    assert (
        cleaned["path"] == str(tmp_path) and cleaned["blob"] == "<4 bytes>" and cleaned["tags"] == ["a", "b"]
    )
    assert "password" not in cleaned and "refresh_token" not in cleaned and cleaned["total_tokens"] == 5


# --------------------------------------------------------------------------- contact sheets


def test_contact_sheet_grid_with_labels_and_transparency() -> None:
    from PIL import Image

    images = [
        image_bytes("PNG", (300, 200), "RGBA"),
        image_bytes("JPEG", (100, 400)),
        load_image(image_bytes("WEBP")),
    ]
    sheet = contact_sheet(
        images,
        ["first", "second, with a very long label that will not fit", "third"],
        thumb=128,
        title="Run 42",
    )
    with Image.open(io.BytesIO(sheet)) as decoded:
        assert decoded.format == "PNG"
        assert decoded.width == 2 * (128 + 8) + 8  # ceil(sqrt(3)) = 2 columns
        assert decoded.height > 2 * 128
        # the semi-transparent thumbnail sits over a checkerboard: two different grays show through
        tile = decoded.convert("RGB").crop((8 + 40, 26 + 8 + 40, 8 + 120, 26 + 8 + 80))
        assert len(tile.getcolors(10_000) or []) >= 2


def test_contact_sheet_columns_and_default_labels() -> None:
    from PIL import Image

    sheet = contact_sheet([PNG] * 5, columns=5, thumb=32)
    with Image.open(io.BytesIO(sheet)) as decoded:
        assert decoded.width == 5 * 40 + 8


def test_contact_sheet_bad_arguments() -> None:
    with pytest.raises(InvalidInputError, match="at least one image"):
        contact_sheet([])
    with pytest.raises(InvalidInputError, match="2 labels given for 1 images"):
        contact_sheet([PNG], ["a", "b"])
    with pytest.raises(InvalidInputError, match="expected bytes"):
        contact_sheet([12345])
    with pytest.raises(InvalidInputError, match="not an image"):
        contact_sheet([b"definitely not an image"])


@pytest.mark.parametrize(("name", "magic"), [("x.webp", b"RIFF"), ("x.jpg", b"\xff\xd8"), ("x.jpeg", b"\xff\xd8"),
                                             ("x.png", b"\x89PNG")])
def test_a_file_name_naming_another_format_gets_a_converted_image(tmp_path: Path, name: str, magic: bytes) -> None:
    from tryon.testing.synth import synth_image

    png = synth_image(64, 64, "png", transparent=True, seed_text="c")
    path = save_bytes(png, "image/png", tmp_path / name)
    assert path.name == name and path.read_bytes().startswith(magic)


def test_a_folder_stays_a_folder_even_when_it_was_removed(tmp_path: Path) -> None:
    from tryon.testing.synth import synth_image

    out = tmp_path / "out"
    out.mkdir()
    out.rmdir()  # deleted mid-run
    path = save_bytes(synth_image(32, 32, "png", transparent=False, seed_text="f"), "image/png", out,
                      stem="shot", directory=True)
    assert path == out / "shot.png"
    assert not (tmp_path / "out.png").exists()
