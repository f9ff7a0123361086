"""Pictures that come with imported questions: found in Moodle XML (`<file>` + @@PLUGINFILE@@, `data:` URIs,
`<image_base64>`) and GIFT (`data:` URIs), checked with Pillow (type from the content, size and pixel caps, full
decode), stored as Wagtail images when the import is committed and attached to the question. Everything a question
would lose (a second picture, external pictures, audio and video, pictures in options) is a warning naming it;
a corrupt picture or a decompression bomb is a warning, never a server error."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import struct
import zlib
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage
from wagtail.images import get_image_model

from quizzes.bank.importers import parse_upload
from quizzes.bank.importers.common import ImportedImage, ParseResult, RawQuestion, validate
from quizzes.bank.importers.images import ImageProblem, check_image, image_note
from quizzes.bank.models import Question
from quizzes.bank.services import bank_import, bank_import_parsed
from tests.quizzes.bank_files import template_row, template_xlsx

Image = get_image_model()


def png(size=(40, 30), colour=(200, 30, 30), *, noise=False) -> bytes:
    picture = PILImage.new("RGB", size, colour)
    if noise:
        rnd = random.Random(3)
        picture.putdata(
            [(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(size[0] * size[1])]
        )
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (0, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int, height: int) -> bytes:
    """A real decompression bomb: a valid grey PNG of width x height zero pixels, a few tens of kilobytes."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def huge_header_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG that claims 1.6 gigapixels: Pillow refuses it from the header alone."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _chunk(b"IEND", b"")
    )


_WHOLE = png((120, 120), noise=True)
TRUNCATED = _WHOLE[: len(_WHOLE) * 2 // 3]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def xml_bank(*questions: str, category: str = "消防安全") -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="category"><category><text>$course$/top/{category}</text></category></question>\n'
    return (head + "\n".join(questions) + "\n</quiz>\n").encode()


def xml_question(name: str, html: str, *, files: dict[str, bytes] | None = None, extra: str = "", answers=None) -> str:
    file_tags = "".join(
        f'<file name="{fname}" path="/" encoding="base64">{b64(data)}</file>' for fname, data in (files or {}).items()
    )
    answers = (
        answers
        or '<answer fraction="100"><text>灭火器</text></answer><answer fraction="0"><text>消火栓</text></answer>'
    )
    return (
        f'<question type="multichoice">\n<name><text>{name}</text></name>\n'
        f'<questiontext format="html"><text><![CDATA[{html}]]></text>{file_tags}</questiontext>\n'
        f"{extra}<single>true</single>{answers}\n</question>"
    )


def only(result):
    assert not result.rejected, result.rejected
    assert len(result.questions) == 1
    return result.questions[0]


# --- finding pictures in Moodle XML and GIFT (no database) ------------------------------------------------------


def test_moodle_pluginfile_picture_becomes_the_question_image():
    picture = png()
    data = xml_bank(
        xml_question(
            "标志",
            '<p>下图是什么标志？<img src="@@PLUGINFILE@@/sign%201.png" alt="标志"></p>',
            files={"sign 1.png": picture},
        )
    )
    result = parse_upload(data=data, filename="bank.xml")
    q = only(result)
    assert q.stem == "下图是什么标志？"
    assert q.image == ImportedImage(name="sign 1.png", data=picture)
    assert result.warnings == []


def test_moodle_legacy_image_base64_and_data_uri():
    first, second = png(colour=(0, 0, 0)), png(colour=(255, 255, 255))
    data = xml_bank(
        xml_question(
            "旧格式", "<p>看图作答</p>", extra=f"<image>old.png</image><image_base64>{b64(first)}</image_base64>"
        ),
        xml_question("内嵌", f'<p>看图作答二<img src="data:image/png;base64,{b64(second)}"></p>'),
    )
    result = parse_upload(data=data, filename="bank.xml")
    assert [(q.stem, q.image) for q in result.questions] == [
        ("看图作答", ImportedImage(name="old.png", data=first)),
        ("看图作答二", ImportedImage(name="image-1.png", data=second)),
    ]
    assert result.warnings == []


def test_more_than_one_picture_keeps_the_first_and_names_the_rest():
    a, b, c = png(colour=(1, 2, 3)), png(colour=(4, 5, 6)), png(colour=(7, 8, 9))
    html = '<p>比较三张图<img src="@@PLUGINFILE@@/a.png"><img src="@@PLUGINFILE@@/b.png"><img src="@@PLUGINFILE@@/c.png"></p>'
    result = parse_upload(
        data=xml_bank(xml_question("三图", html, files={"a.png": a, "b.png": b, "c.png": c})), filename="x.xml"
    )
    q = only(result)
    assert q.image == ImportedImage(name="a.png", data=a)
    assert [(w.row, w.column, w.reason) for w in result.warnings] == [
        (4, "questiontext", "题目“三图”有 3 张图片，本平台每题只有一张：已导入第一张“a.png”，未导入 “b.png”、“c.png”。")
    ]


def test_other_media_and_external_pictures_are_warnings_naming_the_question():
    html = (
        '<p>听音频回答<img src="https://example.org/fire.png">'
        '<a href="@@PLUGINFILE@@/alarm.mp3">警报声</a>'
        '<audio controls src="https://example.org/siren.ogg"></audio>'
        '<video><source src="https://example.org/drill.mp4"></video>'
        '<a href="https://example.org/guide">指南</a>'
        '<a href="https://example.org/same">https://example.org/same</a>'
        '<img src="@@PLUGINFILE@@/missing.png"></p>'
    )
    answers = (
        '<answer fraction="100" format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/opt.png">甲]]></text></answer>'
        '<answer fraction="0"><text>乙</text></answer>'
    )
    extra = '<generalfeedback format="html"><text><![CDATA[<p>见<img src="data:image/png;base64,AAAA"></p>]]></text></generalfeedback>'
    data = xml_bank(
        xml_question("媒体", html, files={"alarm.mp3": b"ID3", "unused.png": png()}, answers=answers, extra=extra)
    )
    result = parse_upload(data=data, filename="m.xml")
    q = only(result)
    assert q.image is None and q.stem == "听音频回答警报声指南https://example.org/same"
    assert q.options == ["甲", "乙"]
    assert [(w.column, w.reason) for w in result.warnings] == [
        (
            "questiontext",
            "题目“媒体”题干中的外部图片“https://example.org/fire.png”未导入：本平台不下载外部图片，请下载后在后台上传。",
        ),
        (
            "questiontext",
            "题目“媒体”题干中的音视频链接“@@PLUGINFILE@@/alarm.mp3”未导入：本平台题目不支持音频、视频，请在后台另行处理。",
        ),
        (
            "questiontext",
            "题目“媒体”题干中的音频“https://example.org/siren.ogg”未导入：本平台题目不支持音频、视频，请在后台另行处理。",
        ),
        ("questiontext", "题目“媒体”题干中的视频“<video>”未导入：本平台题目不支持音频、视频，请在后台另行处理。"),
        (
            "questiontext",
            "题目“媒体”题干中的多媒体“https://example.org/drill.mp4”未导入：本平台题目不支持音频、视频，请在后台另行处理。",
        ),
        ("questiontext", "题目“媒体”题干中链接“指南”的地址 https://example.org/guide 未保留（题目只保留文字）。"),
        ("questiontext", "题目“媒体”题干引用的图片“missing.png”不在文件中，未导入。"),
        ("questiontext", "题目“媒体”的附件“unused.png”没有在题干中使用（Moodle 也不显示它），未导入。"),
        ("generalfeedback", "题目“媒体”解析中的图片“内嵌图片”未导入：本平台只有题干可以带图片。"),
        ("answer", "题目“媒体”选项 A中的图片“opt.png”未导入：本平台只有题干可以带图片。"),
    ]


def test_an_option_that_is_only_a_picture_is_rejected_with_the_reason():
    answers = (
        '<answer fraction="100" format="html"><text><![CDATA[<p><img src="@@PLUGINFILE@@/a.png"></p>]]></text></answer>'
        '<answer fraction="0"><text>乙</text></answer>'
    )
    gift = '::图选项:: 选图 {=[html]<img src\\="data\\:image/png;base64,AAAA"> ~乙}\n'
    for data, name in (
        (xml_bank(xml_question("图选项", "<p>选图</p>", answers=answers)), "x.xml"),
        (gift.encode(), "g.gift"),
    ):
        result = parse_upload(data=data, filename=name)
        assert not result.questions
        assert [i.reason for i in result.rejected] == [
            "题目“图选项”的选项 A 只有图片、没有文字：本平台的选项只能是文字。"
        ]


def test_a_stem_that_is_only_a_picture_is_rejected_with_the_reason():
    data = xml_bank(xml_question("只有图", '<p><img src="@@PLUGINFILE@@/a.png"></p>', files={"a.png": png()}))
    result = parse_upload(data=data, filename="x.xml")
    assert not result.questions
    assert [(i.column, i.reason) for i in result.rejected] == [
        ("questiontext", "题目“只有图”的题干只有图片、没有文字：请在题干中写明问题。")
    ]


def test_gift_data_uri_picture_and_pluginfile_warning():
    picture = png()
    text = (
        f'::看图:: [html]<p>这是什么标志？<img src\\="data\\:image/png;base64,{b64(picture).replace("=", chr(92) + "=")}"></p>'
        " {=禁止烟火 ~当心火灾}\n\n"
        '::插件:: [html]<p>看图<img src\\="@@PLUGINFILE@@/x.png"></p> {=甲 ~乙}\n'
    )
    result = parse_upload(data=text.encode(), filename="bank.gift")
    first, second = result.questions
    assert (first.stem, first.image) == ("这是什么标志？", ImportedImage(name="image-1.png", data=picture))
    assert (second.stem, second.image) == ("看图", None)
    assert [(w.row, w.reason) for w in result.warnings] == [
        (3, "题目“插件”题干中的图片“x.png”未随文件导出（GIFT 不含图片文件），未导入。")
    ]


# --- checking the bytes -----------------------------------------------------------------------------------------


def test_type_is_sniffed_from_the_content():
    checked = check_image(ImportedImage(name="photo.png", data=jpeg()))
    assert (checked.name, checked.format, checked.width, checked.height) == ("photo.jpg", "JPEG", 32, 32)
    assert checked.sha1 == hashlib.sha1(jpeg()).hexdigest()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a picture at all", "“x.png”不是可用的图片（支持 PNG、JPG、GIF、WEBP、AVIF）。"),
        (b"", "图片“x.png”是空的。"),
        (bomb_png(6000, 6000), "图片“x.png”像素过多（6000×6000），最多 2500 万像素，疑似解压炸弹，未导入。"),
        (huge_header_png(), "图片“x.png”像素过多，疑似解压炸弹，未导入。"),
    ],
)
def test_bad_bytes_are_refused_with_a_reason(data, reason):
    with pytest.raises(ImageProblem) as info:
        check_image(ImportedImage(name="x.png", data=data))
    assert info.value.reason == reason


def test_truncated_picture_is_refused_as_corrupt():
    with pytest.raises(ImageProblem) as info:
        check_image(ImportedImage(name="cut.png", data=TRUNCATED))
    assert info.value.reason.startswith("图片“cut.png”已损坏，无法读取（")


def test_size_cap_follows_wagtail_setting(settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 100
    with pytest.raises(ImageProblem) as info:
        check_image(ImportedImage(name="big.png", data=png((60, 60), noise=True)))
    assert info.value.reason.startswith("图片“big.png”太大（")


def test_corrupt_picture_in_a_file_is_a_warning_and_the_question_still_imports():
    data = xml_bank(
        xml_question(
            "坏图",
            '<p>看图<img src="@@PLUGINFILE@@/bad.png"><img src="@@PLUGINFILE@@/good.png"></p>',
            files={"bad.png": TRUNCATED, "good.png": png()},
        )
    )
    result = parse_upload(data=data, filename="x.xml")
    q = only(result)
    assert q.image == ImportedImage(name="good.png", data=png())
    assert len(result.warnings) == 1
    assert result.warnings[0].reason.startswith("题目“坏图”：图片“bad.png”已损坏，无法读取（")


# --- storing pictures (database, both backends) -----------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_bytes(image) -> bytes:
    with image.file.open("rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_committed_import_stores_the_picture_as_a_wagtail_image(district_admin, media):
    picture = png((80, 50))
    data = xml_bank(
        xml_question("标志", '<p>下图是什么标志？<img src="@@PLUGINFILE@@/sign.png"></p>', files={"sign.png": picture})
    )
    result = bank_import(data=data, filename="bank.xml", actor=district_admin)
    question = Question.objects.get()
    image = question.image
    assert isinstance(image, Image)
    assert (image.width, image.height, image.file_size) == (80, 50, len(picture))
    assert image.file_hash == hashlib.sha1(picture).hexdigest()
    assert image.title == "题目图片：下图是什么标志？（sign.png）"
    assert image.uploaded_by_user == district_admin
    assert image.file.name.startswith("original_images/sign") and image.file.name.endswith(".png")
    assert stored_bytes(image) == picture
    assert (media / image.file.name).is_file()
    assert image.get_rendition("max-800x800").url  # what the exam and practice payloads ask for
    assert result.report()["written"] | {} == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "categories_created": 1,
        "images_attached": 1,
        "images_stored": 1,
    }


@pytest.mark.django_db
def test_one_picture_shared_by_questions_is_stored_once_and_reused_later(district_admin, media):
    picture = png(colour=(9, 9, 9))
    questions = [
        xml_question(f"第{i}题", f'<p>同一张图 {i}<img src="@@PLUGINFILE@@/s.png"></p>', files={"s.png": picture})
        for i in range(3)
    ]
    result = bank_import(data=xml_bank(*questions), filename="a.xml", actor=district_admin)
    assert (result.images_stored, result.images_attached) == (1, 3)
    assert Image.objects.count() == 1
    assert set(Question.objects.values_list("image_id", flat=True)) == {Image.objects.get().pk}
    again = bank_import(
        data=xml_bank(xml_question("新题", '<p>又一题<img src="@@PLUGINFILE@@/t.png"></p>', files={"t.png": picture})),
        filename="b.xml",
        actor=district_admin,
    )
    assert (again.images_stored, again.images_attached) == (0, 1)
    assert Image.objects.count() == 1


@pytest.mark.django_db
def test_reimport_changes_nothing_and_never_replaces_a_picture(district_admin, media):
    first, other = png(colour=(1, 1, 1)), png(colour=(2, 2, 2))
    html = '<p>看图作答<img src="@@PLUGINFILE@@/p.png"></p>'
    bank_import(data=xml_bank(xml_question("Q", html, files={"p.png": first})), filename="a.xml", actor=district_admin)
    image_id = Question.objects.get().image_id
    same = bank_import(
        data=xml_bank(xml_question("Q", html, files={"p.png": first})), filename="a.xml", actor=district_admin
    )
    assert (same.created, same.updated, same.unchanged, same.images_stored, same.images_attached) == (0, 0, 1, 0, 0)
    changed = bank_import(
        data=xml_bank(xml_question("Q", html, files={"p.png": other})), filename="a.xml", actor=district_admin
    )
    assert (changed.updated, changed.unchanged, changed.images_stored) == (0, 1, 0)
    assert Question.objects.get().image_id == image_id
    assert Image.objects.count() == 1


@pytest.mark.django_db
def test_a_matched_question_without_picture_gets_one(district_admin, media):
    """Unchanged otherwise: the picture alone makes it an update. With other changes, it rides along."""
    rows = [
        template_row("单选题", "下图是什么标志？", ["灭火器", "消火栓"], "A", category="消防安全"),
        template_row("单选题", "这张图呢？", ["灭火器", "消火栓"], "A", "旧解析", category="消防安全"),
    ]
    bank_import(data=template_xlsx(rows), filename="bank.xlsx", actor=district_admin)
    a, b = png(colour=(10, 0, 0)), png(colour=(0, 10, 0))
    data = xml_bank(
        xml_question("一", '<p>下图是什么标志？<img src="@@PLUGINFILE@@/a.png"></p>', files={"a.png": a}),
        xml_question(
            "二",
            '<p>这张图呢？<img src="@@PLUGINFILE@@/b.png"></p>',
            files={"b.png": b},
            extra='<generalfeedback format="plain_text"><text>新解析</text></generalfeedback>',
        ),
    )
    result = bank_import(data=data, filename="bank.xml", actor=district_admin)
    assert (result.created, result.updated, result.unchanged, result.images_attached) == (0, 2, 0, 2)
    by_stem = {q.stem: q for q in Question.objects.select_related("image")}
    assert stored_bytes(by_stem["下图是什么标志？"].image) == a
    assert stored_bytes(by_stem["这张图呢？"].image) == b
    assert by_stem["这张图呢？"].explanation == "新解析"


@pytest.mark.django_db
def test_gift_picture_is_stored(district_admin, media):
    picture = jpeg((20, 10))
    uri = "data\\:image/jpeg;base64," + b64(picture).replace("=", "\\=")
    text = f'::看图:: [html]<p>这是什么？<img src\\="{uri}"></p> {{=灭火器 ~水桶}}\n'
    bank_import(data=text.encode(), filename="bank.gift", actor=district_admin)
    image = Question.objects.get().image
    assert (image.width, image.height, stored_bytes(image)) == (20, 10, picture)
    assert image.file.name.endswith(".jpg")


def parsed_with_image(image: ImportedImage, stem="看图选择") -> ParseResult:
    """What any format (a .docx reader, say) hands over: a validated question carrying an ImportedImage."""
    warnings = []
    raw = RawQuestion(row=7, type_text="单选题", stem=stem, options=["甲", "乙"], answer="A", category=["图片题"])
    raw.image = image
    question = validate(raw, filename="试题.docx", warnings=warnings)
    return ParseResult(filename="试题.docx", format="spreadsheet", questions=[question], warnings=warnings)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (TRUNCATED, "题目图片未导入：图片“p.png”已损坏，无法读取（"),
        (b"\x89PNG\r\n\x1a\nbroken", "题目图片未导入：“p.png”不是可用的图片（支持 PNG、JPG、GIF、WEBP、AVIF）。"),
        (
            bomb_png(6000, 6000),
            "题目图片未导入：图片“p.png”像素过多（6000×6000），最多 2500 万像素，疑似解压炸弹，未导入。",
        ),
        (huge_header_png(), "题目图片未导入：图片“p.png”像素过多，疑似解压炸弹，未导入。"),
    ],
)
def test_invalid_picture_from_any_format_is_a_warning_at_commit(district_admin, media, data, reason):
    result = bank_import_parsed(parsed=parsed_with_image(ImportedImage("p.png", data)), actor=district_admin)
    assert result.created == 1 and result.images_attached == 0
    assert Question.objects.get().image is None
    assert Image.objects.count() == 0
    [warning] = result.report()["warnings"]
    assert (warning["file"], warning["row"], warning["column"]) == ("试题.docx", 7, "图片")
    assert warning["reason"].startswith(reason)


@pytest.mark.django_db
def test_valid_picture_from_any_format_is_attached(district_admin, media):
    picture = png((16, 16))
    result = bank_import_parsed(
        parsed=parsed_with_image(ImportedImage("word/media/image1.png", picture)), actor=district_admin
    )
    assert result.images_attached == 1
    image = Question.objects.get().image
    assert stored_bytes(image) == picture and image.file.name.startswith("original_images/image1")


@pytest.mark.django_db
def test_a_failed_import_leaves_no_picture_behind(district_admin, media, monkeypatch):
    import quizzes.bank.services as services

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write_tags", fail)
    data = xml_bank(xml_question("Q", '<p>看图<img src="@@PLUGINFILE@@/p.png"></p>', files={"p.png": png()}))
    with pytest.raises(RuntimeError):
        bank_import(data=data, filename="a.xml", actor=district_admin)
    assert Question.objects.count() == 0 and Image.objects.count() == 0
    assert [p for p in Path(media).rglob("*") if p.is_file()] == []


def gift_bank(count: int, start: int = 0) -> bytes:
    return "\n\n".join(
        f"::Q{i}:: 第 {i} 题的题干 {{=甲{i} ~乙{i} ~丙{i}}}" for i in range(start, start + count)
    ).encode()


@pytest.mark.django_db
def test_imports_without_pictures_make_no_per_question_queries(district_admin, media):
    """The 10,000-question path: the picture step costs nothing when no question has one."""
    bank_import(data=gift_bank(1, start=1000), filename="first.gift", actor=district_admin)  # creates 未分类
    with CaptureQueriesContext(connection) as small:
        bank_import(data=gift_bank(5), filename="small.gift", actor=district_admin)
    with CaptureQueriesContext(connection) as large:
        bank_import(data=gift_bank(400, start=100), filename="large.gift", actor=district_admin)
    assert Question.objects.count() == 406
    # Inserts come in batches (their number depends on the backend's parameter limit); every other query is once.
    reads = [[q["sql"] for q in c.captured_queries if not q["sql"].startswith("INSERT")] for c in (small, large)]
    assert len(reads[0]) == len(reads[1])
    assert not any("wagtailimages" in q["sql"] for q in large.captured_queries)


def test_preview_note_for_a_question_with_a_picture():
    data = xml_bank(
        xml_question("标志", '<p>下图是什么标志？<img src="@@PLUGINFILE@@/sign.png"></p>', files={"sign.png": png()}),
        xml_question("无图", "<p>没有图</p>"),
    )
    with_picture, without = parse_upload(data=data, filename="bank.xml").questions
    assert (image_note(with_picture), image_note(without)) == ("含图片（sign.png）", "")
