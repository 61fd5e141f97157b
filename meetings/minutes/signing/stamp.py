"""The visible stamp of a signature: its text and a font with Chinese glyphs (the order in
which fonts are tried is in the package docstring). pyHanko and fontTools are imported inside
the functions that need them."""

import contextlib
import datetime as dt
import functools
import io
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from meetings.minutes.signing.config import SHANGHAI, SigningUnavailable

logger = logging.getLogger(__name__)

_FONT_CANDIDATES = (
    "fonts/fandol/FandolHei-Regular.otf",  # relative to VAR_DIR
    "fonts/fandol/FandolFang-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def _font_candidates() -> Iterator[Path]:
    configured = getattr(settings, "INFOGOV_STAMP_FONT", None)
    if configured:
        yield Path(configured)
        return
    for candidate in _FONT_CANDIDATES:
        path = Path(candidate)
        if not path.is_absolute():
            yield Path(settings.VAR_DIR) / path
            yield Path(settings.BASE_DIR) / "var" / path
        else:
            yield path
    if shutil.which("fc-match"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(
                ["fc-match", "--format=%{file}", ":lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
            if found:
                yield Path(found)


@functools.lru_cache(maxsize=4)
def _font_bytes(path: str, mtime: float) -> bytes:
    """One OpenType font as bytes; from a collection, its Simplified Chinese face."""
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as handle:
        is_collection = handle.read(4) == b"ttcf"
    if not is_collection:
        TTFont(path, lazy=True).getBestCmap()  # fails early on a file that is not a font
        return Path(path).read_bytes()
    faces = TTCollection(path, lazy=True).fonts

    def rank(face) -> tuple[int, int]:
        family = face["name"].getDebugName(1) or ""
        return (" SC" not in family and "GB" not in family, "Mono" in family)

    face = min(faces, key=rank)
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=16)
def _has_chinese(path: str, mtime: float) -> bool:
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(_font_bytes(path, mtime)), lazy=True).getBestCmap() or {}
    return all(ord(char) in cmap for char in "签发人演示")


@functools.cache
def _stamp_font_factory_class():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class InMemoryGlyphAccumulatorFactory(GlyphAccumulatorFactory):
        """GlyphAccumulatorFactory over font bytes (a face extracted from a collection)."""

        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            data = _font_bytes(self.font_file, os.stat(self.font_file).st_mtime)
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=self.font_size,
                ot_script_tag=self.ot_script_tag,
                ot_language_tag=self.ot_language_tag,
                writing_direction=self.writing_direction,
                bcp47_lang_code=self.bcp47_lang_code,
                obj_stream=obj_stream,
            )

    return InMemoryGlyphAccumulatorFactory


def stamp_font_path() -> Path:
    """The font file the stamp uses (see the module docstring for the order)."""
    tried = []
    for path in _font_candidates():
        tried.append(str(path))
        if not path.is_file():
            continue
        try:
            if _has_chinese(str(path), path.stat().st_mtime):
                return path
        except Exception:  # a broken or unsupported font file: try the next one
            logger.warning("Cannot use %s as the stamp font", path, exc_info=True)
    raise SigningUnavailable(
        "No font with Chinese glyphs for the signature stamp (tried: "
        + ", ".join(tried)
        + "). Install fonts-noto-cjk or set INFOGOV_STAMP_FONT to an .otf/.ttf/.ttc file."
    )


def stamp_style(font_size: int = 10):
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    font = _stamp_font_factory_class()(
        font_file=str(stamp_font_path()), font_size=font_size, bcp47_lang_code="zh-CN"
    )
    return TextStampStyle(
        stamp_text="%(infogov_stamp)s",
        text_box_style=TextBoxStyle(font=font, font_size=font_size, leading=font_size + 4),
        border_width=1,
        border_color=(0.8, 0.0, 0.0),
        background=None,
    )


def stamp_text(name: str, signed_at: dt.datetime, *, demo: bool) -> str:
    lines = [f"签发人：{name}", signed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")]
    if demo:
        lines.append("演示签名")
    return "\n".join(lines)
