"""Pure grounding check, shared by the generators and the evaluation: is a sentence supported by a section?

A sentence is supported when every number, date and quoted term in it appears in the cited text,
and most of its character bigrams (Latin words for English) do too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.grammar import cn_to_int

MIN_BIGRAM_COVERAGE = 0.6

_CITE_MARK = re.compile(r"【[^】]*】|\[\d+\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+(?:个|项|条|家|所|座|万|亿|倍|年|%|％|公里|平方)")
_QUOTED = re.compile(r"[“\"「《]([^”\"」》]{1,40})[”\"」》]")
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")


def strip_citations(sentence: str) -> str:
    return _CITE_MARK.sub("", sentence).strip()


def _normalise(text: str) -> str:
    # Full-width digits and letters count as their half-width forms; the plan mixes both.
    return text.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})


def numbers(text: str) -> list[str]:
    """Arabic numbers (with decimals and %) and Chinese quantities such as 八大 or 三个."""
    text = _normalise(text)
    return [n.rstrip(".,") for n in _NUMBER.findall(text)] + _CN_NUMBER.findall(text)


_FIGURE = re.compile(
    # A span of time in Arabic numerals (30日, 15个工作日, 3个月): not a date's day (5月1日) nor a year (2020年).
    r"(?<![\d月.])\d{1,3}\s*(?:个)?(?:工作日|日|天|个月|周(?!岁)|年)(?![\d])"
    r"|\d+(?:\.\d+)?\s*(?:(?:万|亿)(?:元|人|名|吨|亩|户)?|%|％|元|人|名|所|家|个|项|公里|平方|倍|节点|条|座|户|亩|吨|公顷|米|辆|张|套|间|台|处|公斤|千瓦|小时|分钟)"
    r"|[零〇一二两三四五六七八九十百千]+(?:万|亿)(?:元|人|平方米|吨)?|百分之[零〇一二两三四五六七八九十百点]+"
    # Quantities in Chinese numerals, as national documents write them (九千六百多万名, 十年, 三百多万):
    # a numeral (not an ordinal, not a bare 一) and a unit of measure.
    r"|(?<![第一二两三四五六七八九十百千万亿〇零])(?:[二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
    r"|一[零〇一二两三四五六七八九十百千万亿]+)[多余]?(?:万|亿)?(?:名|人|元|岁|倍|公里|吨|亩|户|年|个月|天|日|项|所"
    r"|条|只|辆|张|台|套|间|座|棵|艘|架|栋|幢)"
    # A bare 一 counts as a number of occasions (每年至少召开一次), not in 一次性; 一年 is too often an idiom.
    r"|(?<![第一二两三四五六七八九十百千万亿〇零])一(?:次|个月)(?!性)"
)


_CN_YEAR = re.compile(r"[一二][〇零一二三四五六七八九]{3}年")


def figures(text: str) -> list[str]:
    """Quantities with a unit (38万人, 15%, 8节点, 九千六百多万名): what a 多少/几 question asks for. Years
    (二〇三五年) do not count."""
    return [f for f in _FIGURE.findall(_normalise(text)) if not _CN_YEAR.fullmatch(f)]


_LEADING_NUMBER = re.compile(r"(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)[多余]?(万|亿)?")


def figure_value(figure: str) -> float | None:
    """The number a figure states (一万元 -> 10000, 1.5万 -> 15000, 十二年 -> 12), None when unreadable."""
    m = _LEADING_NUMBER.match(_normalise(figure))
    if m is None:
        return None
    number, scale = m.groups()
    try:
        value = float(number) if number[0].isdigit() else float(cn_to_int(number))
    except ValueError:
        return None
    return value * {"万": 1e4, "亿": 1e8}.get(scale or "", 1.0)


# What a figure measures, for matching the figure a question asks for with the ones the evidence holds.
# Things that are sums of money whatever the sentence: a subsidy or a price asked for is an amount in 元, not
# a count of years (投资 and 收入 are not here: plans give their growth as a percentage).
_AMOUNT = r"(补助|补贴|补偿|赔偿|工资|薪水|养老金|退休金|费用|经费|预算|价格|票价|房价|租金|罚款|奖金|奖励)"
# Classifiers counting things (条, 张, 辆 …), as a question asks a count in them and a figure states one.
_CLASSIFIERS = "条|只|辆|张|台|套|间|座|棵|头|匹|艘|架|栋|幢|部|块|户|所|家|处"
_MEASURES = {
    "percent": (
        re.compile(
            r"百分之(多少|几)|百分比|比例|比重|占比|率[^，。？?]{0,4}(多少|几)|(多少|几)个?百分点"
            r"|what (percentage|share|proportion)",
            re.I,
        ),
        re.compile(r"%|％|百分之|百分点"),
    ),
    "people": (
        re.compile(
            r"(多少|几)(十|百|千|万|亿)*(名|个人|人|位)"
            r"|how many (people|persons|residents|members|staff|workers|employees|students|children|patients)",
            re.I,
        ),
        re.compile(r"(名|人)$"),
    ),
    # A span asked in years is given in years or months, one asked in days in days, weeks or months: a
    # deadline of 15日 says nothing of how many years a loan may run, nor 30年 of how soon a reply is due.
    "years": (
        re.compile(r"(多少|几)个?年(?!龄|级)|how many years", re.I),
        re.compile(r"(年|个月)$"),
    ),
    "days": (
        re.compile(r"(多少|几)个?(工作)?(天|日)|how many days", re.I),
        re.compile(r"(天|日|周|个月)$"),
    ),
    "time": (
        re.compile(r"(多少|几)个?(月|周|星期)|how many (months|weeks)", re.I),
        re.compile(r"(年|个月|周|天|日)$"),
    ),
    "money": (
        re.compile(
            rf"(多少|几)(十|百|千|万|亿)*(块|元|钱)|多少钱|金额|{_AMOUNT}(标准)?[是为有能要给发拿领]{{0,2}}多少|多少{_AMOUNT}"
            r"|how much (money|is the (fine|fee|penalty|subsidy)|does it cost|will i be fined|can i be fined)",
            re.I,
        ),
        # A fine or fee is often a share or a multiple of another sum (合同价款百分之二, 一倍以上三倍以下).
        re.compile(r"元$|%$|％$|百分之|倍$"),
    ),
    # 几条狗, 多少张病床: a count in that classifier (a figure of people or hours counts something else).
    "count": (re.compile(rf"(多少|几)({_CLASSIFIERS})"), re.compile(rf"({_CLASSIFIERS})$")),
}


# Kinds of money a question may ask the amount of, and how a sentence stating such an amount names it: a fine's
# 二百元 is no answer to 要赔多少钱 (compensation), nor a fee to 补贴多少.
_MONEY_KINDS = (
    (re.compile(r"赔"), re.compile(r"赔偿|赔付")),
    (re.compile(r"罚"), re.compile(r"罚款|罚金")),
    (re.compile(r"补贴|补助|补偿"), re.compile(r"补贴|补助|补偿")),
    (re.compile(r"奖"), re.compile(r"奖")),
)


def money_kind_named(question: str, text: str) -> bool:
    """Does the text name the kind of money the question asks about (赔偿 for 赔多少), when it asks one?"""
    return all(says.search(text) for asks, says in _MONEY_KINDS if asks.search(question))


def measure(question: str) -> str | None:
    """What the figure a question asks for measures (percent, people, years, days, time, money), when it says."""
    return next((name for name, (asks, _) in _MEASURES.items() if asks.search(question)), None)


def measures(figure: str, name: str, question: str = "") -> bool:
    """Does this figure (as figures() finds it) measure that? A count measures what the question counts only in
    the classifier it asks in, or in 个: 8节点 is no answer to 多少户, nor 3家医院 to 几所学校."""
    asked = _MEASURES["count"][0].search(question) if name == "count" else None
    if asked is not None:
        return figure.endswith((asked.group(2), "个"))  # 个 counts anything: 新建学校5个 answers 几所
    return bool(_MEASURES[name][1].search(figure))


def quoted_terms(text: str) -> list[str]:
    return [t.strip() for t in _QUOTED.findall(text) if t.strip()]


def units(text: str) -> set[str]:
    """Character bigrams of Chinese runs and lower-cased Latin words: the units of overlap."""
    out: set[str] = set()
    for run in _KEEP.findall(_normalise(text)):
        if run.isascii():
            out.add(run.lower())
            continue
        out.update(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) == 1:
            out.add(run)
    return out


@dataclass(frozen=True)
class Verdict:
    supported: bool
    coverage: float
    missing_numbers: tuple[str, ...] = ()
    missing_terms: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        if self.supported:
            return "supported"
        if self.missing_numbers:
            return f"number not in the cited text: {', '.join(self.missing_numbers)}"
        if self.missing_terms:
            return f"quoted term not in the cited text: {', '.join(self.missing_terms)}"
        return f"only {self.coverage:.0%} of its wording is in the cited text"


def check(sentence: str, evidence: str, min_coverage: float = MIN_BIGRAM_COVERAGE) -> Verdict:
    """Verdict for one sentence (citation marks ignored) against the text of the section(s) it cites."""
    body = strip_citations(sentence)
    ev = _normalise(evidence)
    ev_compact = re.sub(r"\s+", "", ev)
    missing_n = tuple(n for n in numbers(body) if n not in ev_compact)
    missing_t = tuple(t for t in quoted_terms(body) if _normalise(t) not in ev)
    mine = units(body)
    coverage = len(mine & units(evidence)) / len(mine) if mine else 0.0
    ok = not missing_n and not missing_t and coverage >= min_coverage
    return Verdict(ok, coverage, missing_n, missing_t)
