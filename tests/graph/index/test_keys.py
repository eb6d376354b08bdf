"""Name keys (graph/index/keys.py): the pinyin of ASCII text without loading pypinyin."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pypinyin import lazy_pinyin

from graph.index.keys import normalise, to_pinyin


@pytest.mark.parametrize("text", ["syn-0000007", "Sanlei Glass", "sanlei", " a--b ", "x.y/z", "ABC_12'3", "", "\t"])
def test_ascii_pinyin_is_what_pypinyin_gives(text: str) -> None:
    assert to_pinyin(text) == normalise("".join(lazy_pinyin(text)))


@pytest.mark.parametrize(("text", "expected"), [("三磊玻纤", "sanleiboxian"), ("綦江 glass", "qijiangglass"),
                                                ("Ｓanlei", "sanlei")])
def test_chinese_and_wide_text_go_through_pypinyin(text: str, expected: str) -> None:
    assert to_pinyin(text) == expected


def test_ascii_text_does_not_load_pypinyin() -> None:
    """A lookup by id or Latin name does not pay for pypinyin's tables (a third of a second)."""
    code = ("import sys; from graph.index.keys import to_pinyin; "
            "assert to_pinyin('syn-0000007') == 'syn0000007'; print('pypinyin' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
