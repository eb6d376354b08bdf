"""Name keys: how names are normalised, stemmed and spelled in pinyin before they are compared.

Shared by the in-memory name index (:mod:`graph.index.names`) and the persistent one
(:mod:`graph.index.name_store`), so neither needs the other for its keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

_PREFIXES = ("重庆市", "重庆")
_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司",
    "高新技术产业开发区", "高新区", "工业园区", "产业园", "园区",
    "产业链", "产业集群", "产业",
    "区", "县", "市",
)


#: What :func:`normalise` removes: spacing, middle dots, hyphens, quotes and brackets.
_FOLDED = re.compile(r"[\s·・\-_'\"“”‘’()（）]+")


def normalise(text: str) -> str:
    """Fold width, case, spacing and traditional characters (to simplified, OpenCC ``t2s``) so
    that names compare as people mean them.

    >>> normalise(" Ｓanlei  玻纤 "), normalise("黔江區")
    ('sanlei玻纤', '黔江区')
    """
    folded = _FOLDED.sub("", unicodedata.normalize("NFKC", text)).lower()
    return _t2s().convert(folded) if _CJK.search(folded) else folded


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


_CJK = re.compile("[\u4e00-\u9fff]")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a CJK ideograph (U+4E00–U+9FFF).

    >>> has_cjk("三磊 glass"), has_cjk("sanlei")
    (True, False)
    """
    return _CJK.search(text) is not None


def to_pinyin(text: str) -> str:
    """Tone-less pinyin of the Chinese characters in ``text``, other characters kept, normalised.

    >>> to_pinyin("三磊玻纤"), to_pinyin("Syn-0000007")
    ('sanleiboxian', 'syn0000007')
    """
    if text.isascii():  # pypinyin keeps ASCII as it is: no need to load it (a lookup by id or Latin name)
        return normalise(text)
    from pypinyin import lazy_pinyin  # imported on first use: its phrase table takes a third of a second

    return normalise("".join(lazy_pinyin(text)))


def stem(name: str) -> str:
    """Strip the 重庆 prefix and one administrative or company suffix from a normalised name.

    >>> stem(normalise("重庆三磊玻纤股份有限公司")), stem("黔江区"), stem("荣昌高新区")
    ('三磊玻纤', '黔江', '荣昌')
    """
    for p in _PREFIXES:
        if name.startswith(p) and len(name) > len(p) + 1:
            name = name[len(p):]
            break
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def keys_and_stems(names: Iterable[str], pinyin: Callable[[str], str] = to_pinyin) -> tuple[set[str], set[str]]:
    """The lookup keys and the stems of one resource's names: each name normalised, and its stem
    (:func:`stem`); for a name with a Chinese character also the pinyin of both. The one
    derivation the in-memory index (:mod:`graph.index.names`), the persistent one
    (:mod:`graph.index.name_store`) and its incremental updates (:mod:`graph.index.side_files`) share.

    Args:
        names: the names as written (labels, legal, short names, aliases, pinyin).
        pinyin: the pinyin of a normalised key (:func:`to_pinyin`, or the per-character
            conversion the persistent index uses for large stores).

    >>> keys, stems = keys_and_stems(["三磊玻纤有限公司", "Sanlei"])
    >>> sorted(keys)
    ['sanlei', 'sanleiboxianyouxiangongsi', '三磊玻纤有限公司']
    >>> sorted(stems)
    ['sanlei', 'sanleiboxian', '三磊玻纤']
    """
    keys: set[str] = set()
    stems: set[str] = set()
    for name in names:
        key = normalise(name)
        if not key:
            continue
        keys.add(key)
        # stem() changes only a key with one of its prefixes or suffixes (two C-level tests)
        st = stem(key) if key.startswith(_PREFIXES) or key.endswith(_SUFFIXES) else key
        stems.add(st)
        if has_cjk(key):
            spelled = pinyin(key)
            keys.add(spelled)
            stems.add(spelled if st == key else pinyin(st))
    return keys, stems
