"""A document's scope is not a topic: read it from the titles, and let retrieval read the question without it.

Residents name the district, the plan period and the kind of document in almost every question
("二道区“十四五”规划的指导思想是什么？"). Every section of the district's five-year plan is about the
district, the period and the plan, so these words say nothing about *which* section answers; yet the
question's embedding leans towards the passages that repeat them most (the preamble, the review of the past
period, the closing chapter on carrying out the plan), and the lexical score rewards sentences naming them.

Scope words come from the titles: the places a title opens with (长春市二道区 → 长春市, 长春, 二道区, 二道;
中华人民共和国… → also 中国, 全国, 我国), the five-year period (第十四个五年 → 十四五) and the kind of
document the title ends with (规划, 纲要, 条例, 意见…). Only words shared by every document in scope are
dropped: when a knowledge base holds the city's plan and the district's, the name is what tells them apart.
A question about the document itself (who approved it, its period) and a question that is nothing but
scope words keep all their words. A question that names a document by its title, whole or short
(《中华人民共和国商标法》 as 商标法, 青岛市控制吸烟条例 as 控制吸烟条例), is read in that document, and the
name is dropped from what retrieval reads: every passage of the document is equally "about" it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

# An administrative place as a title names it: 长春市, 二道区, 吉林省, 延边朝鲜族自治州, 某某县, 某某镇.
_PLACE = re.compile(
    r"(?!关于)[\u4e00-\u9fff]{2,10}?(?:特别行政区|经济特区|自治区|自治州|自治县|省|市|区|县|州|镇|乡|街道)"
)
_SUFFIX = re.compile(r"(?:特别行政区|经济特区|自治区|自治州|自治县|新区|省|市|区|县|州|镇|乡|街道)$")
# Kinds of area that are topics, not the governing place ("开发区管理办法" is about development zones).
_NOT_PLACE = re.compile(
    r"(?:开发|园|试验|示范|功能|保税|城|社|片|景|小|市|郊|地|山|林|矿|灾|(?<!经济)特|街)区$|城市$|都市$"
)
# Words that may come before the places in a title ("关于印发长春市…的通知"); after a bare 关于 comes the
# topic ("关于支持某市发展的意见" is about that city, not issued by it).
_LEAD = re.compile(r"^(?:[\s《]|关于印发|关于转发|关于批转|印发|转发|批转)+")
_COUNTRY = ("中华人民共和国", "中国", "全国", "我国")
_COUNTRY_TITLE = re.compile(r"中华人民共和国|^全国|^国家|^中共中央|^国务院")
_PERIOD = re.compile(r"第([一二三四五六七八九十]{1,3})个五年|“?([一二三四五六七八九十]{1,3})五”?(?:规划|时期)")
_GENRE = ("规划纲要", "规划", "纲要", "条例", "办法", "规定", "意见", "方案", "决定", "通知", "报告")
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]|[《》“”\s]")


# Title-derived words are asked for every document on every question (a library holds thousands): cached,
# and frozen so that no caller can change the cached value.
@lru_cache(maxsize=65536)
def places(title: str) -> frozenset[str]:
    """The places a title opens with, and their short forms (二道区 → 二道, 长春市 → 长春)."""
    out: set[str] = set()
    if _COUNTRY_TITLE.search(title):
        out.update(_COUNTRY)
    # One after another (长春市二道区…); a place later in the title is a topic, not the scope.
    rest = _LEAD.sub("", title)
    while (m := _PLACE.match(rest)) and not _NOT_PLACE.search(m.group(0)):
        name = m.group(0)
        out.add(name)
        short = _SUFFIX.sub("", name)
        if len(short) >= 2:
            out.add(short)
        if name[-1] in "省市区县":
            out.add("全" + name[-1])  # 全区: the whole of the place the document governs
        rest = rest[m.end() :]
    return frozenset(out)


def governing(titles: Iterable[str]) -> str:
    """The place chain every title opens with, as written (长春市二道区), or "" when they differ or have none."""
    chains = set()
    for title in titles:
        rest, chain = _LEAD.sub("", title), ""
        while (m := _PLACE.match(rest)) and not _NOT_PLACE.search(m.group(0)):
            chain += m.group(0)
            rest = rest[m.end() :]
        chains.add(chain)
    return chains.pop() if len(chains) == 1 else ""


@lru_cache(maxsize=65536)
def scope_words(title: str) -> frozenset[str]:
    """Places, the five-year period (“十四五”, 十四五) and the kind of document a title names."""
    out = set(places(title))
    for m in _PERIOD.finditer(title):
        n = m.group(1) or m.group(2)
        out.update({f"“{n}五”", f"{n}五"})
    stem = re.sub(r"[（(][^）)]*[）)]|的通知$", "", title.strip().rstrip("》"))
    for genre in _GENRE:
        if stem.endswith(genre) or f"{genre}和" in stem or f"{genre}(" in title:
            out.update({genre, *(g for g in _GENRE if g in genre)})  # 规划纲要 also names 规划 and 纲要
    return frozenset(out)


def common_scope(titles: Iterable[str]) -> frozenset[str]:
    """Scope words named by every one of the titles (none when there are no titles)."""
    sets = [set(scope_words(t)) for t in titles]
    if not sets:
        return frozenset()
    return frozenset(set.intersection(*sets))


def without(query: str, words: Iterable[str]) -> str:
    """The query with the given words removed, longest first; unchanged if nothing of substance would remain."""
    out = query
    for word in sorted(words, key=len, reverse=True):
        out = out.replace(word, "")
    return out if len(_CONTENT.findall(out)) >= 2 else query


# "报告提出…", "条例里…", "这份意见…": the question names the kind of document it asks about.
_REFERENCE = re.compile(
    r"(?:这份|这个|该|本|根据|按照|依照|依据)(规划纲要|纲要|规划|条例|意见|办法|方案|决定|报告)"
    r"|(规划纲要|纲要|规划|条例|意见|办法|方案|决定|报告)(?:里|中|上|对|关于|提出|提到|说|指出|强调|规定|要求|明确)"
)


# An English question names the kind the same way: "What does the report say…", "Under the regulations…".
_REFERENCE_EN = re.compile(r"\bthe (report|plan|outline|regulations?|opinions?|measures)\b", re.I)
_KIND_EN = {"report": "报告", "plan": "规划", "outline": "纲要", "regulation": "条例", "opinion": "意见"}
_KIND_EN |= {"regulations": "条例", "opinions": "意见", "measures": "办法"}


def referenced(question: str, titles: Mapping[str, str]) -> set[str]:
    """Documents whose kind the question names ("报告提出…", "the report"), when that singles out some but not
    all of them."""
    kinds = {a or b for a, b in _REFERENCE.findall(question)}
    kinds |= {_KIND_EN[k.lower()] for k in _REFERENCE_EN.findall(question)}
    if not kinds or len(titles) < 2:
        return set()
    found = {doc for doc, title in titles.items() if kinds & scope_words(title)}
    return found if len(found) < len(titles) else set()


@lru_cache(maxsize=65536)
def names(title: str) -> frozenset[str]:
    """How a question may name a document: its title, and the title without the places it opens with."""
    full = _BRACKETED.sub("", _LEAD.sub("", title)).removesuffix("的通知")
    out = {full} if len(full) >= 3 else set()
    rest = full.removeprefix("中华人民共和国")
    while (m := _PLACE.match(rest)) and not _NOT_PLACE.search(m.group(0)):
        rest = rest[m.end() :]
    # A bare genre (条例, 规划) names a kind of document, not one (see referenced).
    if len(rest) >= 3 and rest not in _GENRE:
        out.add(rest)
    return frozenset(out)


def named(question: str, titles: Mapping[str, str]) -> dict[str, str]:
    """Documents the question names by title: doc_id -> the name as the question writes it (the longest)."""
    text = _BRACKETED.sub("", question)
    out: dict[str, str] = {}
    for doc, title in titles.items():
        found = [n for n in names(title) if n in text]
        if found:
            out[doc] = max(found, key=len)
    # The longest name wins: "青岛市控制吸烟条例" names that regulation, not every city's 控制吸烟条例 whose
    # short name it contains; "城镇燃气管理条例" is not each province's 燃气管理条例.
    return {doc: n for doc, n in out.items() if not any(n != m and n in m for m in out.values())}


# An instrument a question names by its own name: 中央八项规定, 商标法, 物业管理办法 (not 这个条例, 本办法).
_INSTRUMENT = re.compile(r"([\u4e00-\u9fff]{2,12})(规定|条例|办法|意见|决定|(?<!办)法)(?![典律规])")
_GENRE_END = re.compile(r"(条例|办法|意见|法)$")
# Particles and pronouns no instrument's name holds: what comes before one of them is not part of the name.
_NOT_NAME = re.compile(r"[了这那在让给把被和与跟儿呢吗吧啊咋啥俺我你他她它]")
_DEICTIC = re.compile(r"(这|那|本|该|此|上述|有关|相关)[个份部项条]?$")
# 记分办法怎么规定的: 规定 after 怎么 is the verb asked about.
_HOW_END = re.compile(r"(是)?(怎么|怎样|如何|咋)$")
# 超过规定标准, 违反规定, 按规定办理: 规定 after such a verb is "the rules" in general, not one by name.
_GENERIC_RULES = re.compile(r"(超过|超出|违反|违背|符合|遵守|按照?|依照?|根据|未按)$")


_BOOK_TITLE = re.compile(r"《([^《》]{3,40})》")
OURS_SHARE = 0.8  # a 《name》 this much of whose characters one title holds is that title, loosely written


def _loosely_ours(name: str, titles: Mapping[str, str]) -> bool:
    """Is a name in 《》 one of the documents, however loosely written (《二道区十四五规划》)?"""
    chars = set(name) - set('《》“”"　 ')
    return any(
        name in title or title in name or len(chars & set(title)) >= OURS_SHARE * len(chars)
        for title in titles.values()
    )


def other_instrument(question: str, titles: Mapping[str, str]) -> str | None:
    """The rule, law, plan or other document the question names by a name no document here has (中央八项规定,
    beside a district plan; 城市房屋拆迁管理条例, beside the regulation that repealed it; 《长春市国土空间总体规划》,
    beside the district's own plan), else None.

    A name in 《》 names a document whatever its genre; it is ours when a title holds nearly all its characters.

    The name may carry words before it (请问商标法…): a tail of it that a title holds makes it one of ours,
    when the tail says more than its genre: a stem of two characters before 法 (商标法), of three before
    条例, 规定, 办法 (燃气管理条例), not 管理条例 alone, which every other regulation's name ends with. A shortened
    name (带薪年休假办法) is ours when a title of the same genre holds nearly all its stem's characters.
    """
    for name in _BOOK_TITLE.findall(question):
        if not _loosely_ours(name, titles):
            return name
    for m in _INSTRUMENT.finditer(_BRACKETED.sub("", question)):
        run, word = m.group(1), m.group(2)
        if _DEICTIC.search(run):
            continue
        if word == "规定" and _GENERIC_RULES.search(run):
            continue
        if word == "规定" and (how := _HOW_END.search(run)):
            run = run[: how.start()]  # 记分办法怎么规定的: 规定 is the verb asked about, 办法 the genre
            if not _GENRE_END.search(run):
                continue
        if word in ("规定", "决定") and (genre := _GENRE_END.search(run)):
            run, word = run[: genre.start()], genre.group()  # 管理条例规定的…: 规定 is the verb, 条例 the genre
        stem = 2 if word == "法" else 3
        if len(_NOT_NAME.split(run)[-1]) < stem:
            continue  # 这事儿条例里咋说: the genre alone, after words no name holds
        if any(title.startswith(run[-k:]) and title.endswith(word) for title in titles.values() for k in (2, 3, 4)):
            continue  # 重庆市条例规定…: a document here, named by its place (its title's start) and its genre
        name = run + word
        tails = [name[i:] for i in range(len(name) - len(word) - stem + 1)]
        if any(t in title for t in tails for title in titles.values()):
            continue
        # 带薪年休假办法 for 企业职工带薪年休假实施办法: a title of the same genre holding nearly all the characters of
        # the name's stem (the genre word, which every such title ends with, says nothing).
        same_genre = [set(t) for t in titles.values() if t.endswith(word)]
        stems = [set(run[i:]) for i in range(len(run) - stem + 1)]
        if not any(len(c & t) >= OURS_SHARE * len(c) for c in stems for t in same_genre):
            return name
    return None


_JOINED = re.compile(r"^.*[的和与跟同比及按照据依]")
_ASKED_OF = re.compile(r"的?(规定|里|中|上|对|关于|提到|说|要求|怎么|是怎|有什么|有哪些|内容|标准|条文)")


def asks_what_another_says(question: str, titles: Mapping[str, str]) -> str | None:
    """The name of a rule or law no document here is, when the question asks what it says (城市房屋拆迁管理条例
    规定的补偿标准, 安全生产法里…), else None: the documents here do not hold its text, whatever they say of
    the same matter. Named in passing (按照…条例办理吗) it is not what is asked."""
    name = other_instrument(question, titles)
    if name is None:
        return None
    # A name in 《》 is found as written (it may hold a parenthesis: 《…规划（2021—2035年）》); one run into other
    # words, in the question without brackets and quotes, where other_instrument found it.
    at = question.find(name)
    if at >= 0:
        after = question[at + len(name) :].lstrip('》”" ')
    else:
        text = _BRACKETED.sub("", question)
        after = text[text.find(name) + len(name) :]
    return name if _ASKED_OF.match(after) else None


def clean_name(name: str) -> str:
    """An instrument's name as other_instrument found it, without the words run into it (年的…, 和…)."""
    return _JOINED.sub("", name)


def names_another(question: str, titles: Mapping[str, str]) -> bool:
    """Does the question name a rule or law by a name no document here has (see other_instrument)? Then "when
    was it issued" is about that one, and no document here answers it with its own notice."""
    return other_instrument(question, titles) is not None


# The nation as what a question is about (国家管不管, 我国的…, 全国), not 国家级 or 国家队 (kinds of things).
_NATION = re.compile(r"国家(?![级队])|我国|全国|咱们国家|咱国家|中国|国内")


def national(question: str, titles: Mapping[str, str]) -> set[str]:
    """Documents of no local place, when a question about the nation (国家对民营企业还支不支持) names no place
    and the knowledge base holds both: a district plan beside a national report answers for the district."""
    if len(titles) < 2 or not _NATION.search(question):
        return set()
    local = {doc for doc, title in titles.items() if places(title) - set(_COUNTRY)}
    if any(p in question for doc in local for p in places(titles[doc]) if len(p) >= 2 and not p.startswith("全")):
        return set()
    found = set(titles) - local
    return found if found and local else set()


def governed(question: str, titles: Mapping[str, str]) -> set[str]:
    """Documents governing a place the question names (二道区的养老…), when that singles out some but not all.

    A knowledge base holding a district's plan beside two cities' regulations: "二道区…" asks the plan,
    "深圳新建建筑…" the Shenzhen regulation. Only the places a title opens with count (rag.scope.places).
    """
    if len(titles) < 2:
        return set()
    # 全区, 中国, 全国 say "the whole of it", not which place: every national document would claim them.
    governs = {
        doc: {p for p in places(title) if len(p) >= 2 and p not in _COUNTRY and not p.startswith("全")}
        for doc, title in titles.items()
    }
    found = {doc for doc, ps in governs.items() if any(p in question for p in ps)}
    return found if len(found) < len(titles) else set()


# "净月区的“十四五”规划", "上海市的物业管理条例", "净月区自己的农业发展规划": a place's own document of some
# kind; a topic (农业发展) may come between them after 的, never after a bare place (区里…规划 is no place's).
_DOCUMENT_KIND = r"(?:规划纲要|规划|纲要|条例|办法|报告|政策|方案|意见)"
_PLACE_DOCUMENT = re.compile(
    r"([\u4e00-\u9fff]{2,10}?(?:自治区|自治州|自治县|新区|省|市|区|县|州|镇|乡))"
    r"(?:(?:的|那个|这个)?[“\"]?(?:[一二三四五六七八九十]{1,3}五)?[”\"]?(?:时期)?(?:的)?"
    + _DOCUMENT_KIND
    + r"|(?:自己|自个儿|自家|本身)?的[\u4e00-\u7683\u7685-\u9fff]{1,6}?"
    + _DOCUMENT_KIND
    + ")"
)
_HERE = re.compile(r"^(?:全|本|我|该|咱|这个|那个|这|那|辖|城|市|郊|各)[区市县镇乡省州]$")


def other_places_document(question: str, titles: Mapping[str, str]) -> str | None:
    """The place whose own plan, regulation or report the question asks about, when no document here is one
    (净月区的“十四五”规划里… beside Erdao's plan, which mentions 净月区 as a neighbour), else None.

    A place any title governs (二道区, 长春市) is ours; a kind of area (开发区, 园区) or a word for "here"
    (本区, 全市) is no other place.
    """
    governed = {p for title in titles.values() for p in places(title)}
    for m in _PLACE_DOCUMENT.finditer(_BRACKETED.sub("", question)):
        run = m.group(1)
        tails = [run[i:] for i in range(len(run) - 2)]  # a place of two characters and its suffix, or longer
        if (
            not tails
            or any(t in governed for t in tails)
            or any(t in title for t in tails for title in titles.values())
        ):
            continue
        place = tails[-1]
        if _NOT_PLACE.search(place) or _HERE.match(place) or _HERE.match(place[-2:]):
            continue
        return place
    return None
