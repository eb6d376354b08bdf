"""GB/T 4754-2017 class names (国民经济行业分类) that a roster may give instead of a code.

Curated domain knowledge, like the chain templates: the classes that the seed chain templates
carry (``ckg:gbtCode``), the related classes listed in the project glossary, and a few common classes
of other industries, with their names as printed in public copies of the standard. A roster's class
*code* needs no table: it is compared with the templates' codes directly; this table only turns a
class *name* into its code. A name not listed here leaves the row's class unmapped (reported,
never guessed).
"""

from __future__ import annotations

import re
import unicodedata

#: Four-digit class code → its name (GB/T 4754-2017).
CLASS_NAMES: dict[str, str] = {
    "0134": "烟草种植",
    "0171": "中草药种植",
    "0313": "猪的饲养",
    "0916": "铝矿采选",
    "1329": "其他饲料加工",
    "1610": "烟叶复烤",
    "1620": "卷烟制造",
    "1741": "缫丝加工",
    "1742": "绢纺和丝织加工",
    "1743": "丝印染精加工",
    "2710": "化学药品原料药制造",
    "2720": "化学药品制剂制造",
    "2730": "中药饮片加工",
    "2740": "中成药生产",
    "2750": "兽用药品制造",
    "2780": "药用辅料及包装材料",
    "3061": "玻璃纤维及制品制造",
    "3062": "玻璃纤维增强塑料制品制造",
    "3216": "铝冶炼",
    "3252": "铝压延加工",
    "4417": "生物质能发电",
    # classes of the chains whose templates carry no code yet, and common classes of no chain
    "1371": "蔬菜加工",
    "3071": "建筑陶瓷制品制造",
    "3074": "日用陶瓷制品制造",
    "3140": "铁合金冶炼",
    "3453": "齿轮及齿轮减、变速箱制造",
    "3491": "工业机器人制造",
    "3742": "航天器及运载火箭制造",
    "3973": "集成电路制造",
    "4710": "住宅房屋建筑",
    "5212": "超级市场零售",
    "6110": "旅游饭店",
    "6513": "应用软件开发",
    "7212": "投资与资产管理",
    "7291": "旅行社及相关服务",
    "7723": "固体废物治理",
    "8411": "综合医院",
}

_CODE = re.compile(r"^\s*[A-Ta-t]?\s*(\d{2,4})(?:\s*[-—–:：\s]\s*(.*))?$")


def _key(name: str) -> str:
    return re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", name))


_BY_NAME = {_key(name): code for code, name in CLASS_NAMES.items()}


def parse_class(text: str) -> tuple[str | None, str | None]:
    """Split a class cell into (code, name): ``"C3061"``, ``"3061 玻璃纤维及制品制造"`` or a
    name alone (its code looked up in :data:`CLASS_NAMES`; ``None`` when not listed).

    >>> parse_class("C3061"), parse_class("1741 缫丝加工"), parse_class("缫丝加工")
    (('3061', None), ('1741', '缫丝加工'), ('1741', '缫丝加工'))
    >>> parse_class("批发业")
    (None, '批发业')
    """
    text = text.strip()
    match = _CODE.match(text)
    if match:
        return match.group(1), (match.group(2) or "").strip() or None
    return _BY_NAME.get(_key(text)), text
