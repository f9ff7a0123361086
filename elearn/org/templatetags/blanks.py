"""{{ question.stem|keep_blanks }}: a blank bracket in a question stem ("（ ）", "(  )", "（＿＿）") stays on one line.

Chromium breaks a line at the space inside "（ ）", so "应当（" ended one line and "）负责" began the next. The filter
escapes the text (unless it is already safe, e.g. after `linebreaksbr`) and wraps each blank bracket in
`<span class="blank">`, which the stylesheets keep unbroken (white-space: nowrap). The live game's pages do the same
in JavaScript (quizzes/live.js: keepBlanks)."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

# An opening bracket, nothing but spaces (ASCII, ideographic U+3000, no-break) or underscores, a closing bracket.
BLANK = re.compile(r"[（(][\s\u00a0\u3000_＿]*[）)]")


def keep_blanks(value) -> str:
    if value is None:
        return ""
    text = str(conditional_escape(value))
    return mark_safe(BLANK.sub(lambda m: f'<span class="blank">{m.group(0)}</span>', text))


register.filter("keep_blanks", keep_blanks, is_safe=True)
