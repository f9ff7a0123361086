"""StreamField blocks shared by every page type (home, standard pages, lessons, materials).

Each block renders with its own template under elearn/templates/blocks/ and describes itself as plain JSON for
the API (`get_api_representation`). The self-check block never puts the correct answer in the page or the API:
the reader's answer is checked by POST /api/v1/self-check/ (quizzes/practice/api.py).
"""

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from content.choosers import question_chooser_viewset
from content.numerals import article_number

PHONE_RENDITION = "max-720x720|format-webp"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("标题"), max_length=120)
    size = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2", label=_("级别"))

    class Meta:
        icon = "title"
        label = _("小标题")
        template = "blocks/heading_block.html"
        preview_value = {"text": "第一章 总则", "size": "h2"}


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("key", _("要点")), ("warning", _("警示")), ("tip", _("提示"))], default="key", label=_("类型")
    )
    title = blocks.CharBlock(label=_("标题"), required=False, max_length=60)
    body = blocks.RichTextBlock(label=_("内容"), features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        icon = "warning"
        label = _("要点/提示框")
        template = "blocks/callout_block.html"
        preview_value = {"kind": "key", "title": "要点", "body": "<p>发现火情，立即报警（119）。</p>"}


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("说明"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "blocks/image_block.html"

    def get_api_representation(self, value, context=None):
        image = value.get("image")
        data = {"caption": value.get("caption", ""), "image": None}
        if image:
            rendition = image.get_rendition(PHONE_RENDITION)
            data["image"] = {
                "id": image.pk,
                "url": rendition.url,
                "width": rendition.width,
                "height": rendition.height,
                "alt": getattr(image, "contextual_alt_text", None) or image.title,
            }
        return data


class LawArticleValue(blocks.StructValue):
    @cached_property
    def number_int(self) -> int | None:
        try:
            return article_number(self.get("number", ""))
        except ValueError:
            return None

    @property
    def anchor(self) -> str:
        """Stable anchor of the article within its lesson, e.g. 'article-21' (questions link to it)."""
        return f"article-{self.number_int}" if self.number_int is not None else ""


class LawArticleBlock(blocks.StructBlock):
    """One article of a statute, quoted verbatim; `key_point` highlights what to remember."""

    law_name = blocks.CharBlock(label=_("法规名称"), max_length=100, required=False)
    number = blocks.CharBlock(label=_("条号"), max_length=20, help_text=_("例如：第二十一条"))
    text = blocks.TextBlock(label=_("条文"), help_text=_("每款一段，段落之间空一行"))
    key_point = blocks.TextBlock(label=_("要点提示"), required=False)

    class Meta:
        icon = "openquote"
        label = _("法条")
        template = "blocks/law_article_block.html"
        value_class = LawArticleValue
        preview_value = {
            "law_name": "中华人民共和国安全生产法",
            "number": "第五十四条",
            "text": "从业人员有权对本单位安全生产工作中存在的问题提出批评、检举、控告；有权拒绝违章指挥和强令冒险作业。",
            "key_point": "有权拒绝违章指挥和强令冒险作业。",
        }

    def clean(self, value):
        value = super().clean(value)
        try:
            article_number(value.get("number", ""))
        except ValueError:
            raise blocks.StructBlockValidationError(
                {"number": ValidationError(_("条号应写作“第二十一条”或“第21条”。"))}
            )
        return value

    def get_api_representation(self, value, context=None):
        data = super().get_api_representation(value, context)
        data["article"] = value.number_int
        data["anchor"] = value.anchor
        data["paragraphs"] = [p.strip() for p in value.get("text", "").split("\n") if p.strip()]
        return data


class KeyPointsBlock(blocks.StructBlock):
    """A short list of points to remember, e.g. 四个能力 or 三懂三会."""

    title = blocks.CharBlock(label=_("标题"), max_length=60, default="要点")
    points = blocks.ListBlock(blocks.CharBlock(label=_("要点"), max_length=300), label=_("要点"))

    class Meta:
        icon = "list-ul"
        label = _("要点清单")
        template = "blocks/key_points_block.html"
        preview_value = {"title": "要点", "points": ["会报警", "会使用灭火器", "会组织疏散"]}


class VideoBlock(blocks.StructBlock):
    """A video that plays on phones (an MP4 document, loaded only when tapped) or an embed from a video site."""

    title = blocks.CharBlock(label=_("标题"), max_length=100, required=False)
    file = DocumentChooserBlock(label=_("视频文件（MP4）"), required=False)
    embed = EmbedBlock(label=_("外部视频链接"), required=False)
    poster = ImageBlock(label=_("封面图"), required=False)
    caption = blocks.CharBlock(label=_("说明"), max_length=200, required=False)

    class Meta:
        icon = "media"
        label = _("视频")
        template = "blocks/video_block.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("file") and not value.get("embed"):
            raise blocks.StructBlockValidationError(
                {"file": ValidationError(_("请上传视频文件或填写外部视频链接（二选一）。"))}
            )
        return value

    def get_api_representation(self, value, context=None):
        document, embed, poster = value.get("file"), value.get("embed"), value.get("poster")
        return {
            "title": value.get("title", ""),
            "file_url": document.url if document else None,
            "embed_url": embed.url if embed else None,
            "poster_url": poster.get_rendition(PHONE_RENDITION).url if poster else None,
            "caption": value.get("caption", ""),
        }


class DocumentDownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("文件"))
    title = blocks.CharBlock(label=_("显示名称"), max_length=100, required=False)
    description = blocks.CharBlock(label=_("说明"), max_length=200, required=False)

    class Meta:
        icon = "doc-full"
        label = _("文件下载")
        template = "blocks/document_block.html"

    def get_api_representation(self, value, context=None):
        document = value.get("document")
        return {
            "title": value.get("title") or (document.title if document else ""),
            "description": value.get("description", ""),
            "url": document.url if document else None,
            "file_extension": document.file_extension if document else "",
            "file_size": document.get_file_size() if document else None,
        }


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("步骤"), max_length=100)
    text = blocks.TextBlock(label=_("说明"), required=False)


class StepsBlock(blocks.StructBlock):
    """Numbered steps, e.g. an escape procedure or how to use an extinguisher."""

    title = blocks.CharBlock(label=_("标题"), max_length=100, required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("步骤"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("操作步骤")
        template = "blocks/steps_block.html"
        preview_value = {
            "title": "灭火器使用",
            "steps": [{"title": "提", "text": "提起灭火器"}, {"title": "拔", "text": "拔掉保险销"}],
        }


QuestionChooserBlock = question_chooser_viewset.get_block_class(
    name="QuestionChooserBlock", module_path="content.blocks"
)


def public_question(question) -> dict | None:
    """What a reader may see of a question before answering: never the answer or the explanation."""
    if question is None:
        return None
    data = {"id": question.pk, "type": question.type, "stem": question.stem, "options": list(question.options)}
    if question.type == "fill":
        data["blanks"] = len(question.accepted_answers)
        data["options"] = []
    return data


class SelfCheckBlock(blocks.StructBlock):
    """A question from the bank with instant feedback. The page shows the stem and options only; the answer is
    checked on the server (POST /api/v1/self-check/), which answers with right/wrong and the explanation."""

    question = QuestionChooserBlock(label=_("题目"))
    intro = blocks.CharBlock(label=_("引导语"), max_length=100, required=False, default="学完自测一下")

    class Meta:
        icon = "help"
        label = _("随堂自测")
        template = "blocks/self_check_block.html"

    def get_api_representation(self, value, context=None):
        return {"intro": value.get("intro", ""), "question": public_question(value.get("question"))}


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("正文"), icon="pilcrow", features=["h3", "bold", "italic", "ol", "ul", "link", "document-link"]
    )
    image = ImageWithCaptionBlock()
    callout = CalloutBlock()


class StudyStreamBlock(BaseStreamBlock):
    """Lessons and emergency-science materials: the shared blocks plus law articles, media and self-checks."""

    law_article = LawArticleBlock()
    key_points = KeyPointsBlock()
    video = VideoBlock()
    document = DocumentDownloadBlock()
    steps = StepsBlock()
    self_check = SelfCheckBlock()


def self_check_question_ids(stream_value) -> set[int]:
    """Ids of the questions placed in self-check blocks of a StreamField value."""
    ids = set()
    for child in stream_value or []:
        if child.block_type == "self_check":
            question = child.value.get("question")
            if question is not None:
                ids.add(question.pk)
    return ids
