"""StreamField blocks shared by every page type (home, standard pages, lessons, materials)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


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


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("正文"), icon="pilcrow", features=["h3", "bold", "italic", "ol", "ul", "link", "document-link"]
    )
    image = ImageWithCaptionBlock()
    callout = CalloutBlock()
