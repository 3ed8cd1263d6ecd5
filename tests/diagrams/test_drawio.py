"""draw.io rendering with draw.io's own viewer in the real Debian Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from PIL import Image, ImageChops

from clm.diagrams.drawio import DrawioRenderer, page_names, parse_pages
from clm.diagrams.errors import DiagramError, MissingTool
from tests.diagrams.pictures import assert_drawing, png_image, share_unlike, svg_size

SOURCES = Path(__file__).parent / "sources"
SCALE = 3
WHITE = (255, 255, 255)


@pytest.fixture(scope="module")
def renderer() -> Iterator[DrawioRenderer]:
    with DrawioRenderer() as shared:
        yield shared


def source(name: str) -> Path:
    return SOURCES / f"{name}.drawio"


def render(renderer: DrawioRenderer, name: str, formats=("png", "svg")):
    path = source(name)
    return renderer.render(path, path.read_bytes(), formats)


def share_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 24) -> float:
    red, green, blue = ImageChops.difference(image, Image.new("RGB", image.size, colour)).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return sum(largest.histogram()[: tolerance + 1]) / (image.width * image.height)


def check_pair(png: bytes, svg: bytes) -> Image.Image:
    image = assert_drawing(png, svg)
    width, height = svg_size(svg)
    assert abs(image.width - SCALE * width) <= SCALE
    assert abs(image.height - SCALE * height) <= SCALE
    corner = image.getpixel((0, 0))
    # The 20px border keeps the outer 10px empty: nothing, no label, is cut at the edge.
    band = 10 * SCALE
    for box in (
        (0, 0, image.width, band),
        (0, image.height - band, image.width, image.height),
        (0, 0, band, image.height),
        (image.width - band, 0, image.width, image.height),
    ):
        assert share_unlike(image.crop(box), corner) == 0, f"drawing reaches into {box}"
    return image


@pytest.mark.parametrize(
    ("name", "pages"),
    [("plain", 1), ("compressed", 1), ("multipage", 3), ("stencil", 1), ("bare", 1)],
)
def test_renders_png_and_svg_for_every_page(renderer, name, pages):
    outputs = render(renderer, name)
    expected = []
    for number in range(1, pages + 1):
        stem = name if number == 1 else f"{name}-{number}"
        expected += [f"{stem}.png", f"{stem}.svg"]
    assert [file_name for file_name, _ in outputs] == expected
    for (_, png), (_, svg) in zip(outputs[::2], outputs[1::2], strict=True):
        check_pair(png, svg)


def test_background_is_white_unless_the_file_sets_one(renderer):
    plain = png_image(render(renderer, "plain", ("png",))[0][1])
    assert plain.getpixel((0, 0)) == WHITE
    bare = png_image(render(renderer, "bare", ("png",))[0][1])
    assert bare.getpixel((0, 0)) == (0xFD, 0xF6, 0xE3)
    details = dict(render(renderer, "multipage", ("png",)))["multipage-2.png"]
    assert png_image(details).getpixel((0, 0)) == (0xF5, 0xF5, 0xF5)


def test_multipage_names_page_two_onwards_with_a_number(renderer):
    names = [file_name for file_name, _ in render(renderer, "multipage", ("png",))]
    assert names == ["multipage.png", "multipage-2.png", "multipage-3.png"]


def test_stencil_shapes_are_drawn(renderer):
    outputs = dict(render(renderer, "stencil"))
    image = png_image(outputs["stencil.png"])
    # The fill colours of the AWS Lambda icon and the Cisco router: a stencil that did
    # not load would leave an empty or plain box instead.
    assert share_near(image, (0xED, 0x71, 0x00)) > 0.02
    assert share_near(image, (0x03, 0x68, 0x97)) > 0.02
    svg = outputs["stencil.svg"].decode()
    router = svg[svg.index('data-cell-id="router"') :]
    assert "<path" in router[: router.index("</g></g>")]


def test_svg_is_standalone_xml_with_the_labels(renderer):
    svg = dict(render(renderer, "plain", ("svg",)))["plain.svg"]
    assert svg.startswith(b"<?xml")
    text = "".join(ET.fromstring(svg).itertext())
    assert "Web server with a rather long label that wraps" in text
    assert "Plain SVG text, no HTML" in text


def test_same_file_gives_same_bytes(renderer):
    first = render(renderer, "plain")
    render(renderer, "stencil")
    render(renderer, "compressed")
    assert render(renderer, "plain") == first
    assert render(renderer, "multipage") == render(renderer, "multipage")


def test_formats_select_the_outputs(renderer):
    assert [name for name, _ in render(renderer, "compressed", ("svg",))] == ["compressed.svg"]
    assert [name for name, _ in render(renderer, "compressed", ("png",))] == ["compressed.png"]


def test_one_browser_serves_many_files():
    with DrawioRenderer() as own:
        assert own.started == 0
        for name in ("plain", "compressed", "multipage", "bare", "plain"):
            render(own, name)
        assert own.started == 1
    own.close()
    assert own.started == 1


def test_malformed_xml_names_file_and_line():
    path = source("malformed")
    with DrawioRenderer() as own:
        with pytest.raises(DiagramError, match=r"not well-formed") as caught:
            own.render(path, path.read_bytes(), ("png",))
        assert own.started == 0
    assert str(caught.value).startswith(f"{path}:7:")


@pytest.mark.parametrize(
    ("name", "page"), [("broken-compressed", '"Broken page"'), ("not-base64", '"Garbage"')]
)
def test_broken_compressed_page_is_named(name, page):
    path = source(name)
    with pytest.raises(DiagramError, match="compressed content cannot be decoded") as caught:
        DrawioRenderer().render(path, path.read_bytes(), ("png",))
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    assert page in message


@pytest.mark.parametrize(
    ("name", "reason"), [("wrong-root", "root element is <"), ("no-pages", "no pages")]
)
def test_not_a_drawio_file(name, reason):
    path = source(name)
    with pytest.raises(DiagramError, match=re.escape(reason)) as caught:
        DrawioRenderer().render(path, path.read_bytes(), ("png",))
    assert str(caught.value).startswith(f"{path}:")


@pytest.mark.parametrize(
    ("name", "names"),
    [
        ("plain", ["Architecture"]),
        ("compressed", ["Flow"]),
        ("multipage", ["Overview", "Details", "Notes"]),
        ("stencil", ["Cloud"]),
        ("bare", [""]),
        ("broken-compressed", ["Fine", "Broken page"]),
        ("not-base64", ["Garbage"]),
        ("malformed", [""]),
        ("wrong-root", [""]),
        ("no-pages", [""]),
    ],
)
def test_page_names(name, names):
    assert page_names(source(name).read_bytes()) == names


def test_page_names_match_the_pages_rendered():
    for name in ("plain", "compressed", "multipage", "stencil", "bare"):
        data = source(name).read_bytes()
        assert [page.name for page in parse_pages(name, data)] == page_names(data)


def test_missing_chromium_is_a_missing_tool(monkeypatch, tmp_path):
    monkeypatch.setenv("CLM_CHROMIUM", str(tmp_path / "no-such-chromium"))
    path = source("plain")
    renderer = DrawioRenderer()
    with pytest.raises(MissingTool, match="CLM_CHROMIUM") as caught:
        renderer.render(path, path.read_bytes(), ("png", "svg"))
    assert caught.value.tool == "chromium"
    assert renderer.started == 0
    renderer.close()
