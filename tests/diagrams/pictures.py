"""Checks that a rendered picture is a real drawing, shared by the converter tests."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from PIL import Image, ImageChops


def svg_size(data: bytes) -> tuple[float, float]:
    """An SVG's width and height, from its attributes or else its viewBox."""
    root = ET.fromstring(data)
    width, height = root.get("width"), root.get("height")
    if width and height and not width.endswith("%"):
        return float(re.sub(r"[a-z]+$", "", width)), float(re.sub(r"[a-z]+$", "", height))
    _, _, w, h = (float(part) for part in re.split(r"[ ,]+", root.get("viewBox", "").strip()))
    return w, h


def png_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # decodes every pixel: a truncated PNG fails here
    assert image.format == "PNG"
    return image.convert("RGB")


def share_unlike(image: Image.Image, colour: tuple[int, int, int]) -> float:
    """The share of pixels whose colour is not exactly ``colour``."""
    difference = ImageChops.difference(image, Image.new("RGB", image.size, colour)).convert("L")
    return 1 - difference.histogram()[0] / (image.width * image.height)


def assert_drawing(png: bytes, svg: bytes) -> Image.Image:
    """The PNG decodes, has the SVG's aspect ratio within 2 %, and is not blank."""
    image = png_image(png)
    width, height = svg_size(svg)
    ratio = (image.width / image.height) / (width / height)
    assert abs(ratio - 1) <= 0.02, f"PNG {image.size} vs SVG {width}x{height}"
    assert share_unlike(image, image.getpixel((0, 0))) >= 0.01, "the PNG is (nearly) blank"
    return image
