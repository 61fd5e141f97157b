"""People in pinyin order, the same in every picker and list (Chinese readers look a name up
by its pinyin; code-point order puts 孙 before 李 and 赵 anywhere)."""

import functools
from collections.abc import Callable, Iterable

from django import forms

# Surnames read otherwise than the character's most common reading (单 shàn, 曾 zēng …).
SURNAME_READINGS = {
    "单": "shan4",
    "曾": "zeng1",
    "解": "xie4",
    "仇": "qiu2",
    "区": "ou1",
    "朴": "piao2",
    "查": "zha1",
    "乐": "yue4",
    "盖": "ge3",
    "缪": "miao4",
    "覃": "qin2",
    "尉": "yu4",
    "翟": "zhai2",
    "秘": "bi4",
    "种": "chong2",
    "折": "she2",
    "员": "yun4",
    "长孙": "zhang3 sun1",
}


@functools.lru_cache(maxsize=4096)
def pinyin_key(name: str) -> tuple[str, str]:
    """The sort key of a person's name: its pinyin with tone numbers (surname readings
    first), then the name itself so that equal readings keep a stable order."""
    # Imported here, not above: pypinyin's dictionaries take ~50 MB, which every process that
    # imports the pickers or the minutes would otherwise hold whether it sorts a name or not.
    from pypinyin import Style, lazy_pinyin

    name = name.strip()
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if name.startswith(surname):
            rest = lazy_pinyin(name[len(surname) :], style=Style.TONE3, neutral_tone_with_five=True)
            return (" ".join([SURNAME_READINGS[surname], *rest]).lower(), name)
    reading = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)
    return (" ".join(reading).lower(), name)


def by_pinyin[T](items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by the pinyin of ``name(item)`` (by default the item as text)."""
    return sorted(items, key=lambda item: pinyin_key(name(item)))


class PinyinChoiceIterator(forms.models.ModelChoiceIterator):
    """A picker's options in pinyin order of the people's names."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in by_pinyin(self.queryset, name=lambda person: person.full_name):
            yield self.choice(obj)

    def __len__(self):
        return self.queryset.count() + (1 if self.field.empty_label is not None else 0)


class PersonChoiceField(forms.ModelChoiceField):
    """A person picker: options in pinyin order (members.ordering.pinyin_key)."""

    iterator = PinyinChoiceIterator
