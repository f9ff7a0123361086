"""The certificate PDF (合格证书): A4 landscape, Chinese text in the CID font STSong-Light (supplied by every PDF
reader, so nothing is embedded), a QR code to the public verification page and the code printed beside it.

Pure rendering: takes an issued Certificate (or anything with the same attributes) and returns PDF bytes.
"""

from __future__ import annotations

import io

import qrcode
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
RED = colors.HexColor("#c62828")
INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#5f6b7a")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def qr_png(url: str) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(url)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def _score_text(score) -> str:
    text = f"{score:.2f}".rstrip("0").rstrip(".")
    return text or "0"


# Chinese line breaking (禁则): closing punctuation never starts a line (it hangs at the end of the previous one),
# opening punctuation never ends one, and a number or a Latin word is never split.
NO_LINE_START = set("，。、；：？！）》」』”’…—·%,.;:?!)]}")
NO_LINE_END = set("（《「『“‘([{")


def _wrap(c: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text into lines no wider than `width` (character by character: no spaces to break on), by the
    rules above; a hanging closing mark may pass the width by its own width."""
    lines, line = [], ""
    for ch in text:
        if not line or ch in NO_LINE_START or c.stringWidth(line + ch, font, size) <= width:
            line += ch
            continue
        carry = ""
        if ch.isascii() and ch.isalnum():  # keep "100" or "GB50016" whole
            while line and line[-1].isascii() and line[-1].isalnum():
                carry, line = line[-1] + carry, line[:-1]
        while line and line[-1] in NO_LINE_END:
            carry, line = line[-1] + carry, line[:-1]
        if not line:  # one unbreakable run longer than the line: break it after all
            line, carry = carry, ""
        lines.append(line)
        line = carry + ch
    if line:
        lines.append(line)
    return lines


def render_certificate_pdf(certificate, *, verify_url: str, issuer: str | None = None) -> bytes:
    font = _font()
    issuer = issuer or getattr(settings, "ELEARN_CERTIFICATE_ISSUER", "") or settings.ELEARN_SITE_NAME
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height))
    c.setTitle(f"合格证书 {certificate.code}")
    c.setAuthor(issuer)
    c.setSubject(certificate.exam_title)

    # frame
    c.setStrokeColor(RED)
    c.setLineWidth(4)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setLineWidth(1)
    c.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    # title
    c.setFillColor(RED)
    c.setFont(font, 40)
    c.drawCentredString(width / 2, height - 52 * mm, "合 格 证 书")
    c.setFillColor(MUTED)
    c.setFont(font, 12)
    c.drawCentredString(width / 2, height - 62 * mm, f"证书编号（验证码）：{certificate.code}")

    # body
    c.setFillColor(INK)
    c.setFont(font, 26)
    c.drawCentredString(width / 2, height - 84 * mm, certificate.holder_name)
    if certificate.institution_name:
        c.setFont(font, 15)
        c.setFillColor(MUTED)
        c.drawCentredString(width / 2, height - 94 * mm, certificate.institution_name)
    passed_on = certificate.passed_on
    date_text = f"{passed_on.year}年{passed_on.month}月{passed_on.day}日"
    body = (
        f"于{date_text}参加“{certificate.exam_title}”，成绩{_score_text(certificate.score)}分"
        f"（满分{_score_text(certificate.max_score or 100)}分），考试合格，特发此证。"
    )
    c.setFillColor(INK)
    size = 16
    text_width = width - 90 * mm
    y = height - 112 * mm
    for line in _wrap(c, body, font, size, text_width):
        c.setFont(font, size)
        c.drawString(45 * mm, y, line)
        y -= size * 1.7

    # issuer and date, bottom right
    c.setFont(font, 15)
    right = width - 80 * mm
    c.drawRightString(right, 42 * mm, issuer)
    issued = timezone.localtime(certificate.issued_at).date() if certificate.issued_at else passed_on
    c.setFont(font, 13)
    c.drawRightString(right, 34 * mm, f"{issued.year}年{issued.month}月{issued.day}日")

    # QR code and verification hint, bottom right corner
    qr_size = 36 * mm
    qr_x, qr_y = width - 24 * mm - qr_size, 22 * mm
    c.drawImage(ImageReader(io.BytesIO(qr_png(verify_url))), qr_x, qr_y, qr_size, qr_size)
    c.setFont(font, 9)
    c.setFillColor(MUTED)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 4 * mm, "扫码验证真伪")
    c.linkURL(verify_url, (qr_x, qr_y, qr_x + qr_size, qr_y + qr_size), relative=0)
    c.setFont("Helvetica", 8)
    c.drawString(24 * mm, 22 * mm, verify_url)
    url_width = c.stringWidth(verify_url, "Helvetica", 8)
    c.linkURL(verify_url, (24 * mm, 21 * mm, 24 * mm + url_width, 25 * mm), relative=0)

    c.showPage()
    c.save()
    return buffer.getvalue()
