"""Pictures and other media inside the HTML of Moodle XML and GIFT questions.

A question here has text and at most one picture (`Question.image`). So, from a question's HTML:

- `<img src="data:image/png;base64,…">` and `<img src="@@PLUGINFILE@@/x.png">` (the bytes in the question text's
  `<file name="x.png" encoding="base64">`) become `ImportedImage`s, in the order they appear; the parser attaches the
  first valid one and warns about the rest;
- everything else that the text would lose is named in a warning, never dropped silently: an external picture
  (`<img src="http…">`, not downloaded), audio and video (`<audio>`, `<video>`, `<source>`, `<embed>`, `<object>`,
  `<iframe>`, a link to an .mp3/.mp4/… file), a picture referenced but missing from the file, a link whose address
  is not in its text, a picture in an option or the explanation (only the stem has a picture).

Nothing here touches the database; `quizzes.bank.importers.images.check_image` checks the bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import ImportedImage

PLUGINFILE = "@@PLUGINFILE@@"
MEDIA_EXTENSIONS = {
    "mp3", "wav", "ogg", "oga", "m4a", "aac", "amr", "wma", "flac",
    "mp4", "m4v", "webm", "ogv", "mov", "avi", "wmv", "flv", "mkv", "3gp", "swf",
}  # fmt: skip
IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "svg", "tif", "tiff"}
MEDIA_TAGS = {"audio": "src", "video": "src", "source": "src", "embed": "src", "object": "data", "iframe": "src"}
_DATA_URI = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^,;]*)*),(?P<data>.*)$", re.S | re.I)
_MARKUP_HINT = re.compile(r"<\s*(img|a|audio|video|source|embed|object|iframe)\b", re.I)


@dataclass
class Found:
    """What one piece of HTML carries besides its text."""

    images: list[ImportedImage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings, each already naming the question


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[_Element] = []
        self._link: _Element | None = None

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, {k.lower(): (v or "") for k, v in attrs})
        if tag == "img" or tag in MEDIA_TAGS:
            self.elements.append(element)
        elif tag == "a" and element.attrs.get("href"):
            self.elements.append(element)
            self._link = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self._link = None

    def handle_endtag(self, tag):
        if tag == "a":
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link.text += data


def has_markup(text: str) -> bool:
    return bool(_MARKUP_HINT.search(text))


def _extension(path: str) -> str:
    name = unquote(path.split("?", 1)[0].split("#", 1)[0]).rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _plugin_name(src: str) -> str:
    return unquote(src[len(PLUGINFILE) :].split("?", 1)[0]).lstrip("/")


def scan(
    html_text: str,
    *,
    question: str,
    where: str,
    files: dict[str, bytes] | None = None,
    attachable: bool = True,
) -> Found:
    """Pictures and media of `html_text` (the HTML of `where`: 题干, 选项 B, 解析) of question `question`.
    `files` maps the names of the field's Moodle `<file>` elements to their bytes (None: the format carries no
    files, as GIFT). With `attachable` False (an option, the explanation) a picture is reported, not returned."""
    found = Found()
    if not html_text or not has_markup(html_text):
        return found
    collector = _Collector()
    collector.feed(html_text)
    collector.close()
    names = {"question": question, "where": where}
    for number, element in enumerate(collector.elements, start=1):
        if element.tag == "img":
            _image(element.attrs.get("src", "").strip(), number, found, names, files, attachable)
        elif element.tag == "a":
            _link(element, found, names)
        else:
            src = element.attrs.get(MEDIA_TAGS[element.tag], "").strip()
            if element.tag == "source" and not src:
                continue
            label = {"audio": _("音频"), "video": _("视频")}.get(element.tag, _("多媒体"))
            found.notes.append(
                _(
                    "题目“%(question)s”%(where)s中的%(label)s“%(src)s”未导入：本平台题目不支持音频、视频，请在后台另行处理。"
                )
                % {**names, "label": label, "src": _short(src or f"<{element.tag}>")}
            )
    return found


def _short(text: str, limit: int = 80) -> str:
    if text.lower().startswith("data:"):
        return text[:30] + "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _image(src: str, number: int, found: Found, names: dict, files, attachable: bool) -> None:
    if not src:
        found.notes.append(_("题目“%(question)s”%(where)s中有一个没有地址的图片，已忽略。") % names)
        return
    if not attachable and (src.startswith(PLUGINFILE) or src.lower().startswith("data:")):
        name = _plugin_name(src) if src.startswith(PLUGINFILE) else _("内嵌图片")
        found.notes.append(
            _("题目“%(question)s”%(where)s中的图片“%(name)s”未导入：本平台只有题干可以带图片。")
            % {**names, "name": name}
        )
        return
    data: bytes | None = None
    name = ""
    match = _DATA_URI.match(src)
    if match:
        mime = (match["type"] or "").lower()
        if not mime.startswith("image/") or ";base64" not in match["params"].lower():
            found.notes.append(
                _("题目“%(question)s”%(where)s中的内嵌图片“%(src)s”不是 base64 编码的图片，未导入。")
                % {**names, "src": _short(src)}
            )
            return
        try:
            data = base64.b64decode(re.sub(r"\s+", "", unquote(match["data"])), validate=True)
        except (binascii.Error, ValueError):
            found.notes.append(
                _("题目“%(question)s”%(where)s中的内嵌图片数据无法解码（base64 有误），未导入。") % names
            )
            return
        subtype = mime.split("/", 1)[1].split("+", 1)[0]
        name = f"image-{number}.{'jpg' if subtype == 'jpeg' else subtype}"
    elif src.startswith(PLUGINFILE):
        name = _plugin_name(src)
        if files is None:
            found.notes.append(
                _("题目“%(question)s”%(where)s中的图片“%(name)s”未随文件导出（GIFT 不含图片文件），未导入。")
                % {**names, "name": name}
            )
            return
        data = files.get(name)
        if data is None:
            data = files.get(name.rsplit("/", 1)[-1])
        if data is None:
            found.notes.append(
                _("题目“%(question)s”%(where)s引用的图片“%(name)s”不在文件中，未导入。") % {**names, "name": name}
            )
            return
        name = name.rsplit("/", 1)[-1]
    else:
        found.notes.append(
            _("题目“%(question)s”%(where)s中的外部图片“%(src)s”未导入：本平台不下载外部图片，请下载后在后台上传。")
            % {**names, "src": _short(src)}
        )
        return
    found.images.append(ImportedImage(name=name, data=data))


def _link(element: _Element, found: Found, names: dict) -> None:
    href = element.attrs.get("href", "").strip()
    text = " ".join(element.text.split())
    extension = _extension(href)
    if extension in MEDIA_EXTENSIONS:
        found.notes.append(
            _(
                "题目“%(question)s”%(where)s中的音视频链接“%(href)s”未导入：本平台题目不支持音频、视频，请在后台另行处理。"
            )
            % {**names, "href": _short(unquote(href))}
        )
    elif href.startswith(PLUGINFILE):
        found.notes.append(
            _("题目“%(question)s”%(where)s链接的文件“%(name)s”未导入：题目只保留文字和一张图片。")
            % {**names, "name": _plugin_name(href)}
        )
    elif href.lower().startswith(("http://", "https://", "ftp://")) and href not in text:
        found.notes.append(
            _("题目“%(question)s”%(where)s中链接“%(text)s”的地址 %(href)s 未保留（题目只保留文字）。")
            % {**names, "text": text or href, "href": _short(href)}
        )


def unused_files(files: dict[str, bytes], html_text: str) -> list[str]:
    """Names of `<file>` elements the HTML never references (Moodle keeps them but never shows them)."""
    referenced = {_plugin_name(m.group(0)) for m in re.finditer(re.escape(PLUGINFILE) + r"/[^\"'\s>)]+", html_text)}
    referenced |= {r.rsplit("/", 1)[-1] for r in referenced}
    return [name for name in files if name not in referenced]


def only_media(html_text: str, plain_text: str) -> bool:
    """True when the HTML shows a picture or media but has no text: an option that was only a picture."""
    return not plain_text.strip() and has_markup(html_text)


def is_image_name(name: str) -> bool:
    return _extension(name) in IMAGE_EXTENSIONS
