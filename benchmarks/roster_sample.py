"""A synthetic enterprise roster in the shape of a business-registry export (企查查-style columns).

Deterministic for a seed. The names, people, codes and capitals are invented (the credit codes are
valid by GB 32100-2015, so the import accepts them); a few rows are the seed graph's own firms under
their legal names, so that the import matches them instead of duplicating them. The GB/T 4754-2017
classes cover every seed chain that has codes, some classes that map to no chain segment, and the
park's own 产业链环节 column fills in for chains whose templates carry no code.

    python -m benchmarks.roster_sample -o examples/rosters/sample-roster.csv           # the shipped sample
    python -m benchmarks.roster_sample --rows 10000 --seed 2 -o /tmp/roster-10k.csv   # a large one
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from graph.ingest.table import credit_code_check_char

#: The export's header, as 企查查 writes it (a park added the last column).
HEADER = [
    "企业名称", "统一社会信用代码", "法定代表人", "成立日期", "注册资本", "登记状态", "所属省份", "所属城市",
    "所属区县", "企业地址", "国标行业门类", "国标行业大类", "国标行业小类", "企业类型", "经营范围", "产业链环节",
]
TITLE = "企业数据导出(示例数据,名称与代码均为虚构) 导出时间:2024-03-01"

# class code → (section, division, class name, words for firm names, business scope)
CLASSES: dict[str, tuple[str, str, str, tuple[str, ...], str]] = {
    "3061": ("制造业", "非金属矿物制品业", "玻璃纤维及制品制造", ("玻纤", "玻璃纤维"), "玻璃纤维及制品制造、销售"),
    "3062": ("制造业", "非金属矿物制品业", "玻璃纤维增强塑料制品制造", ("复合材料", "玻钢"),
             "玻璃纤维增强塑料制品制造"),
    "0916": ("采矿业", "有色金属矿采选业", "铝矿采选", ("矿业",), "铝土矿开采、洗选"),
    "3216": ("制造业", "有色金属冶炼和压延加工业", "铝冶炼", ("铝业",), "氧化铝、电解铝生产"),
    "3252": ("制造业", "有色金属冶炼和压延加工业", "铝压延加工", ("铝材", "铝型材"), "铝板带箔、铝型材加工"),
    "1741": ("制造业", "纺织业", "缫丝加工", ("茧丝", "丝业"), "蚕茧收购、缫丝加工"),
    "1742": ("制造业", "纺织业", "绢纺和丝织加工", ("丝绸", "丝织"), "丝织品织造、销售"),
    "1743": ("制造业", "纺织业", "丝印染精加工", ("印染",), "丝绸印染及后整理"),
    "0171": ("农、林、牧、渔业", "农业", "中草药种植", ("中药材", "药材种植"), "中药材种植、销售"),
    "2730": ("制造业", "医药制造业", "中药饮片加工", ("中药饮片",), "中药饮片加工、销售"),
    "2780": ("制造业", "医药制造业", "药用辅料及包装材料", ("药用辅料", "药包材"), "药用辅料、药品包装材料生产"),
    "2740": ("制造业", "医药制造业", "中成药生产", ("制药", "药业"), "中成药生产、销售"),
    "2710": ("制造业", "医药制造业", "化学药品原料药制造", ("原料药", "生物提取"), "原料药、植物提取物生产"),
    "0134": ("农、林、牧、渔业", "农业", "烟草种植", ("烟叶种植",), "烟叶种植"),
    "1610": ("制造业", "烟草制品业", "烟叶复烤", ("烟叶复烤",), "烟叶复烤加工"),
    "4417": ("电力、热力、燃气及水生产和供应业", "电力、热力生产和供应业", "生物质能发电", ("环保能源", "生物质能源"),
             "生活垃圾焚烧发电、生物质发电"),
    "0313": ("农、林、牧、渔业", "畜牧业", "猪的饲养", ("生猪养殖", "牧业"), "生猪养殖、销售"),
    "1329": ("制造业", "农副食品加工业", "其他饲料加工", ("饲料",), "饲料生产、销售"),
    "2750": ("制造业", "医药制造业", "兽用药品制造", ("动物药业", "兽药"), "兽用药品、兽用疫苗生产"),
    # chains whose templates carry no code: the park's 产业链环节 column places them
    "3071": ("制造业", "非金属矿物制品业", "建筑陶瓷制品制造", ("陶瓷", "瓷业"), "建筑陶瓷制品制造"),
    "3074": ("制造业", "非金属矿物制品业", "日用陶瓷制品制造", ("陶艺", "陶器"), "日用陶瓷、工艺陶瓷制造"),
    "3453": ("制造业", "通用设备制造业", "齿轮及齿轮减、变速箱制造", ("齿轮", "传动"), "齿轮、减速机制造"),
    "3491": ("制造业", "通用设备制造业", "工业机器人制造", ("机器人", "智能装备"), "工业机器人研发、制造"),
    "3973": ("制造业", "计算机、通信和其他电子设备制造业", "集成电路制造", ("微电子", "芯片"), "集成电路制造"),
    "6513": ("信息传输、软件和信息技术服务业", "软件和信息技术服务业", "应用软件开发", ("软件", "信息技术"),
             "软件开发、信息系统集成"),
    "3742": ("制造业", "铁路、船舶、航空航天和其他运输设备制造业", "航天器及运载火箭制造", ("航天", "卫星科技"),
             "卫星及部件研制"),
    "1371": ("制造业", "农副食品加工业", "蔬菜加工", ("食品", "农产品"), "蔬菜加工、食品销售"),
    "7291": ("租赁和商务服务业", "商务服务业", "旅行社及相关服务", ("旅游", "文旅"), "旅游业务、文旅策划"),
    "7723": ("水利、环境和公共设施管理业", "生态保护和环境治理业", "固体废物治理", ("环保", "固废处理"),
             "固体废物收集、处置"),
    "8411": ("卫生和社会工作", "卫生", "综合医院", ("医院", "康复医院"), "综合医疗服务"),
    # classes of no chain at all
    "5212": ("批发和零售业", "零售业", "超级市场零售", ("超市", "商贸"), "日用百货零售"),
    "7212": ("租赁和商务服务业", "商务服务业", "投资与资产管理", ("投资", "资产管理"), "企业投资、资产管理"),
    "4710": ("建筑业", "房屋建筑业", "住宅房屋建筑", ("建设", "建筑工程"), "房屋建筑工程施工"),
    "6110": ("住宿和餐饮业", "住宿业", "旅游饭店", ("酒店",), "住宿、餐饮服务"),
    "3140": ("制造业", "黑色金属冶炼和压延加工业", "铁合金冶炼", ("锰业", "合金"), "锰系铁合金冶炼"),
}

#: Classes whose rows name their segment in the park's column (templates without codes).
SEGMENT_COLUMN: dict[str, tuple[str, ...]] = {
    "3071": ("建筑陶瓷(瓷砖)制造",), "3074": ("日用及艺术陶瓷(荣昌陶)",),
    "3453": ("齿轮传动及减变速装置",), "3491": ("整机装备(工业机器人、智能装备)",),
    "3973": ("集成电路与微电子",), "6513": ("软件与工业互联网",),
    "3742": ("卫星核心单机", "总体设计与整星集成"), "1371": ("食品加工",),
    "7291": ("旅游服务(住宿、餐饮、交通)",), "7723": ("固废及污水处理",),
    "8411": ("医疗服务",),
}

# District → (registry area code, weight, classes that firms there mostly have).
DISTRICTS: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "黔江区": ("500114", 55, ("3061", "3062", "0916", "3216", "3252", "1741", "1742", "1743", "0171", "2730",
                              "2780", "2740", "2710", "0134", "1610", "4417", "1371", "7291", "7723", "8411",
                              "5212", "7212", "4710", "6110", "3140")),
    "荣昌区": ("500153", 25, ("3071", "3074", "0313", "1329", "2750", "1371", "5212", "7212", "4710", "3061")),
    "綦江区": ("500110", 20, ("3453", "3491", "3973", "6513", "3742", "3252", "7723", "5212", "4710", "7212")),
}

#: Firms of the seed graph, under their legal names (matched on import, never duplicated).
SEED_FIRMS: list[tuple[str, str, str]] = [
    ("重庆三磊玻纤股份有限公司", "黔江区", "3061"),
    ("重庆市双河丝绸有限公司", "黔江区", "1741"),
    ("重庆衡生药用胶囊有限公司", "黔江区", "2780"),
    ("重庆科瑞南海制药有限公司", "黔江区", "2740"),
    ("重庆京宏源铝业有限公司", "黔江区", "3252"),
    ("重庆铝晟新材料有限公司", "黔江区", "3252"),
    ("重庆市黔江区花神丝绸有限公司", "黔江区", "1742"),
    ("重庆黔瑞锰业有限公司", "黔江区", "3140"),
    ("重庆唯美陶瓷有限公司", "荣昌区", "3071"),
    ("华芯智造微电子(重庆)股份有限公司", "綦江区", "3973"),
]

# Characters for invented trade names (字号), two per firm.
TRADE = ("瑞耀鑫华锦泰丰盛宏嘉凯恒源森富昌兴明康润达飞峰杰俊坤龙美"
         "宁鹏琪腾伟祥欣旭扬毅宇越哲振志卓安博晨诚川东芳钢光海航浩辉佳")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红斌波宁"
STREETS = ("正阳大道", "新华大道", "城东路", "迎宾大道", "创业路", "工业园路", "科技大道", "滨江路")
TYPES = ("有限责任公司(自然人投资或控股)", "有限责任公司(法人独资)", "股份有限公司(非上市)", "有限责任公司")
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(rng: random.Random, area: str) -> str:
    """A synthetic unified social credit code of a company in ``area``, valid by GB 32100-2015."""
    body = "91" + area + "MA" + "".join(rng.choice(CODE_CHARS) for _ in range(7))
    return body + credit_code_check_char(body)


def capital(rng: random.Random) -> str:
    """A registered capital written as registries write it."""
    amount = rng.choice([50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 8000])
    form = rng.random()
    if form < 0.6:
        return f"{amount}万元人民币"
    if form < 0.8:
        return f"{amount}万人民币"
    if form < 0.9:
        return f"{amount / 10000:g}亿元" if amount >= 1000 else f"{amount}万元"
    return f"{amount // 10}万美元"


def rows(count: int = 300, *, seed: int = 11) -> Iterator[list[str]]:
    """``count`` roster rows (the seed graph's firms first), deterministic for ``seed``."""
    rng = random.Random(seed)
    names: set[str] = set()
    districts = list(DISTRICTS)
    weights = [DISTRICTS[d][1] for d in districts]
    firms: list[tuple[str, str, str]] = list(SEED_FIRMS[: max(0, min(len(SEED_FIRMS), count // 10))])
    names.update(f[0] for f in firms)
    while len(firms) < count:
        district = rng.choices(districts, weights)[0]
        code = rng.choice(DISTRICTS[district][2])
        words = CLASSES[code][3]
        trade = rng.choice(TRADE) + rng.choice(TRADE)
        prefix = rng.choice(["重庆", "重庆", "重庆市" + district])
        suffix = rng.choice(["有限公司", "有限公司", "有限责任公司", "股份有限公司"])
        name = f"{prefix}{trade}{rng.choice(words)}{suffix}"
        if name in names:
            continue
        names.add(name)
        firms.append((name, district, code))
    start = date(1995, 1, 1)
    for name, district, code in firms:
        area = DISTRICTS[district][0]
        section, division, class_name, _, scope = CLASSES[code]
        founded = start + timedelta(days=rng.randrange(0, 365 * 28))
        segment = rng.choice(SEGMENT_COLUMN[code]) if code in SEGMENT_COLUMN else ""
        yield [
            name, credit_code(rng, area), rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2]))),
            founded.isoformat(), capital(rng), rng.choice(["存续", "存续", "在业"]), "重庆市", "重庆市", district,
            f"重庆市{district}{rng.choice(STREETS)}{rng.randrange(1, 300)}号", section, division, class_name,
            rng.choice(TYPES), scope, segment,
        ]


def write_csv(out: io.TextIOBase | io.StringIO, count: int = 300, *, seed: int = 11, title: bool = True) -> None:
    """Write the roster as CSV (a title line above the header, as registry exports have)."""
    writer = csv.writer(out, lineterminator="\n")
    if title:
        writer.writerow([TITLE])
    writer.writerow(HEADER)
    writer.writerows(rows(count, seed=seed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args(argv)
    if args.output == "-":
        write_csv(sys.stdout, args.rows, seed=args.seed)  # type: ignore[arg-type]
    else:
        with Path(args.output).open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it cleanly
            write_csv(f, args.rows, seed=args.seed)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
