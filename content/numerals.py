"""Chinese numerals as used in statute numbering (第一百一十九条, 第二十一条, 第3条) <-> integers. Pure functions."""

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CHINESE_NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)


def cn_to_int(text: str) -> int:
    """'一百一十九' -> 119, '十二' -> 12, '二十' -> 20, '一百零三' -> 103, '21' -> 21. ValueError if not a numeral."""
    text = (text or "").strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        elif char in UNITS:
            total += (1 if digit is None else digit) * UNITS[char]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


def int_to_cn(number: int) -> str:
    """119 -> '一百一十九', 12 -> '十二', 103 -> '一百零三' (statute style, below 10000)."""
    if number < 0 or number >= 10000:
        raise ValueError("out of range")
    if number == 0:
        return "零"
    names = "零一二三四五六七八九"
    parts, zero_pending = [], False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(names[digit] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def article_number(label: str) -> int:
    """'第二十一条' / '第21条' / '二十一' -> 21."""
    label = (label or "").strip()
    if label.startswith("第"):
        label = label[1:]
    if label.endswith(("条", "章", "节")):
        label = label[:-1]
    return cn_to_int(label)
