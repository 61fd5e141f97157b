"""The Chinese time of day (凌晨, 上午, 中午, 下午, 晚上): Django's "A" says 上午/下午 only, and
calls 03:36 上午 where Chinese says 凌晨."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()

# (first hour not in the period, its name): 00:00–05:59 凌晨, 06:00–11:59 上午, 12:00–12:59
# 中午, 13:00–17:59 下午, 18:00–23:59 晚上.
PERIODS = ((6, "凌晨"), (12, "上午"), (13, "中午"), (18, "下午"), (24, "晚上"))


def period_of_day(hour: int) -> str:
    """The Chinese name of the part of the day that ``hour`` (0–23) falls in."""
    if not 0 <= hour <= 23:
        raise ValueError(f"hour {hour} is not 0–23")
    return next(name for end, name in PERIODS if hour < end)


@register.filter
def chinese_time(value: dt.datetime | None) -> str:
    """``value`` in local time as "凌晨3:36" / "下午2:05" in Chinese, "03:36" in English."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if (get_language() or "").startswith("zh"):
        hour12 = local.hour if local.hour <= 12 else local.hour - 12
        return f"{period_of_day(local.hour)}{hour12}:{local.minute:02d}"
    return f"{local:%H:%M}"
