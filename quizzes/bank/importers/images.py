"""Images that come with imported questions: checking their bytes before anything is stored.

Any format may hand a question an `ImportedImage` (Moodle XML `<file>` / `<image_base64>`, a `data:` URI in GIFT or
HTML, a picture embedded in a .docx). `check_image` decides whether the bytes are an image this site can show, the
way Wagtail's upload form does for an image uploaded by hand (type sniffed from the content, never the name; size
and pixel limits from WAGTAILIMAGES_MAX_UPLOAD_SIZE / WAGTAILIMAGES_MAX_IMAGE_PIXELS), with a lower pixel cap for
question images (QUIZZES_BANK_IMAGE_MAX_PIXELS, 25 megapixels: a decompression bomb is refused from its header,
before any pixel is decoded) and a full decode, so that a truncated or corrupt file is a warning naming the
question at import, not an error when a phone first asks for the picture.

Parsers call it so the dry run lists the problem; `quizzes.bank.services` calls it again before storing (a format
that did not check still cannot store a bad image). Results are remembered by content hash, so the second check of
the same bytes costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from quizzes.bank.importers.common import ImportedImage

# Pillow format -> file extension; Wagtail's default WAGTAILIMAGES_EXTENSIONS minus what Pillow cannot read here.
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}
DEFAULT_MAX_PIXELS = 25_000_000
SHOWN_EXTRA = 5  # pictures named in the "only one picture per question" warning; the rest are counted
_CACHE: dict[str, CheckedImage | str] = {}
_CACHE_SIZE = 512


class ImageProblem(ValueError):
    """The bytes are not an image this site will store; `reason` says why, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckedImage:
    """A valid image: its name with the extension of its real type, dimensions and SHA-1 (Wagtail's file_hash)."""

    name: str
    format: str
    width: int
    height: int
    sha1: str


def max_bytes() -> int | None:
    return getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * 1024 * 1024)


def max_pixels() -> int:
    wagtail = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 128_000_000) or 128_000_000
    return min(wagtail, getattr(settings, "QUIZZES_BANK_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def _allowed_formats() -> list[str]:
    extensions = {e.lower() for e in getattr(settings, "WAGTAILIMAGES_EXTENSIONS", FORMATS.values())}
    extensions |= {"jpg"} if "jpeg" in extensions else set()
    return [fmt for fmt, ext in FORMATS.items() if ext in extensions and fmt in Image.registered_extensions().values()]


def check_image(image: ImportedImage) -> CheckedImage:
    """The image as it will be stored, or ImageProblem with a reason naming the file."""
    digest = hashlib.sha1(image.data).hexdigest()  # a content fingerprint, as Wagtail's file_hash
    cached = _CACHE.get(digest)
    if cached is None:
        try:
            cached = _check(image.data, image.name, digest)
        except ImageProblem as exc:
            cached = exc.reason
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[digest] = cached
    if isinstance(cached, str):
        raise ImageProblem(cached.replace("\0name\0", image.name))
    return CheckedImage(_named(image.name, cached.format), cached.format, cached.width, cached.height, digest)


def _named(name: str, fmt: str) -> str:
    path = PurePosixPath(name.replace("\\", "/")).name or "image"
    stem = PurePosixPath(path).stem or "image"
    return f"{stem}.{FORMATS[fmt]}"


def _check(data: bytes, name: str, digest: str) -> CheckedImage:
    placeholder = "\0name\0"  # the reason is cached by content; the name is filled in per question
    if not data:
        raise ImageProblem(_("图片“%(name)s”是空的。") % {"name": placeholder})
    limit = max_bytes()
    if limit is not None and len(data) > limit:
        raise ImageProblem(
            _("图片“%(name)s”太大（%(size)s），最大 %(max)s。")
            % {"name": placeholder, "size": filesizeformat(len(data)), "max": filesizeformat(limit)}
        )
    formats = _allowed_formats()
    pixels_cap = max_pixels()
    too_many = _("图片“%(name)s”像素过多（%(w)d×%(h)d），最多 %(max)d 万像素，疑似解压炸弹，未导入。")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=formats) as im:
                fmt, (width, height) = im.format, im.size
                if width * height > pixels_cap:
                    raise ImageProblem(
                        too_many % {"name": placeholder, "w": width, "h": height, "max": pixels_cap // 10_000}
                    )
                frames = getattr(im, "n_frames", 1)
                if width * height * frames > pixels_cap:
                    raise ImageProblem(
                        _("动图“%(name)s”共 %(f)d 帧，像素总数超过 %(max)d 万，未导入。")
                        % {"name": placeholder, "f": frames, "max": pixels_cap // 10_000}
                    )
                im.verify()  # structure and checksums (PNG CRCs)
            with Image.open(io.BytesIO(data), formats=formats) as im:
                im.load()  # every pixel of the first frame: a truncated file fails here
        except ImageProblem:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageProblem(_("图片“%(name)s”像素过多，疑似解压炸弹，未导入。") % {"name": placeholder}) from None
        except UnidentifiedImageError:
            shown = "、".join(FORMATS[f].upper() for f in formats)
            raise ImageProblem(
                _("“%(name)s”不是可用的图片（支持 %(formats)s）。") % {"name": placeholder, "formats": shown}
            ) from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            raise ImageProblem(
                _("图片“%(name)s”已损坏，无法读取（%(error)s）。") % {"name": placeholder, "error": exc}
            ) from None
    return CheckedImage(name, fmt, width, height, digest)


def choose_image(images: list[ImportedImage], *, question: str) -> tuple[ImportedImage | None, list[str]]:
    """The question's picture (the first valid one; a question has one) and warnings naming the question for every
    picture that was not valid or not the first."""
    notes: list[str] = []
    chosen: ImportedImage | None = None
    extra: list[str] = []
    for image in images:
        try:
            checked = check_image(image)
        except ImageProblem as exc:
            notes.append(_("题目“%(question)s”：%(reason)s") % {"question": question, "reason": exc.reason})
            continue
        if chosen is None:
            chosen = ImportedImage(name=checked.name, data=image.data)
        else:
            extra.append(image.name)
    if extra:
        shown = "、".join(f"“{name}”" for name in extra[:SHOWN_EXTRA])
        if len(extra) > SHOWN_EXTRA:
            shown = _("%(names)s等 %(n)d 张") % {"names": shown, "n": len(extra)}
        notes.append(
            _("题目“%(question)s”有 %(n)d 张图片，本平台每题只有一张：已导入第一张“%(first)s”，未导入 %(rest)s。")
            % {"question": question, "n": len(extra) + 1, "first": chosen.name, "rest": shown}
        )
    return chosen, notes


def image_note(question) -> str:
    """What the import preview shows beside a question (a ParsedQuestion or RawQuestion) that brings a picture:
    "含图片（sign.png）"; "" when it has none. Whether the picture is then stored is decided at commit."""
    image = getattr(question, "image", None)
    if image is None:
        return ""
    return _("含图片（%(name)s）") % {"name": PurePosixPath(image.name.replace("\\", "/")).name or image.name}
