"""Places a question names that the documents do not cover: a place they never mention (…区, …市), a well-known
city or country (北京, 日本), an English place name (Nanguan District). A question about such a place is
refused by the policy (rag.policy, FOREIGN_PLACE): the documents govern their own place, and a neighbour
they name in passing (净月区) is handled by rag.scope.other_places_document when its own plan is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag import focus

_SUFFIXES = set("区县市省镇乡")
_CJK = re.compile(r"[\u4e00-\u9fff]+")
# Words ending like a place that name no particular place: 我们区, 全市, 哪个镇, 一个镇, 两个街道区 ...
_GENERIC_PLACE = re.compile(
    r"^(我们|你们|这个|那个|本|全|该|哪个|哪些|哪俩|哪两个?|哪几个?|俩|几|多|各|城|市|社|小|辖|园|景|街|新|老|开发|城市|主城|中心|农村|郊|山|示范|功能|产业|片"
    r"|[一二两三四五六七八九十百千万几每]+[个座所家])"
)


_DATE_UNITS = ("年", "月", "日", "号")
# An aspect mark standing alone after the word (省 着 点儿, 省 了): the verb 省 (to save), not a province.
_VERB_AFTER = frozenset("着了过掉")


def foreign_places(
    words: Sequence[str], corpus_text: str, tag: Callable[[str], Sequence[tuple[str, str]]] | None = None
) -> list[str]:
    """Place names (…区/县/市/省/镇) among the question's words that the documents never mention.

    words is the question segmented (jieba); a bare suffix word joins the word before it (净月 + 区).
    With `tag` (jieba's part-of-speech tagger), a functional zone is not a place: 金融区, 商务区 name what
    the area is for, by a word the documents use on their own (see functional_zone).
    """
    out = []
    for i, w in enumerate(words):
        if w in _SUFFIXES and i + 1 < len(words) and words[i + 1] in _VERB_AFTER:
            continue  # the verb 省 (see _VERB_AFTER)
        if w in _SUFFIXES and i > 0:
            w = words[i - 1] + w
        if i > 0 and words[i - 1].isdigit() and w[:1] in _DATE_UNITS:
            w = w[1:]  # 2025 + 年甲市: the segmenter glued the year's 年 onto a name it did not know
        if len(w) < 3 or w[-1] not in _SUFFIXES or not _CJK.fullmatch(w):
            continue
        if w in corpus_text or _GENERIC_PLACE.match(w):
            continue
        if tag is not None and functional_zone(w, corpus_text, tag):
            continue
        out.append(w)
    return out


def functional_zone(word: str, corpus_text: str, tag: Callable[[str], Sequence[tuple[str, str]]]) -> bool:
    """Is a word ending like a place (…区) a zone named for its function (金融区, 物流区), not a place's name?

    Its stem is then one ordinary word (not a place or person name to jieba) that the documents use on its
    own, not only before the suffix: 金融 is written throughout a plan, 朝阳 (朝阳区) or 南关 nowhere.
    """
    stem = word[:-1]
    tags = tag(stem)
    if len(tags) != 1 or tags[0][1] in _NAME_TAGS:
        return False
    alone = corpus_text.count(stem) - corpus_text.count(word)
    return alone >= _ZONE_MIN_USES


_NAME_TAGS = ("ns", "nr", "nrt", "nt", "nz")
_ZONE_MIN_USES = 3  # the stem stands on its own this often: a word of the documents, not a fragment of a name


# Words jieba tags as places that name no particular place (外国, 内地), and a place brought in as a likeness
# (像上海陆家嘴那样的片区): the question is still about the documents' own place.
_GENERIC_PLACE_WORDS = frozenset(
    {"外国", "国外", "海外", "境外", "内地", "各地", "全国", "世界", "全球", "国际", "异地", "外地", "本地", "当地"}
    | {"家乡", "老家"}
    # Common nouns jieba's dictionary tags as places (its ns entries used 2,000 times or more).
    | {"城市", "东西", "南北", "平原", "爱国", "英雄", "太阳", "哥哥", "海洋", "湖泊", "大桥", "高原", "上市", "建国"}
    | {"美丽", "山区", "江湖", "大街", "王国", "开国", "共和国", "城镇", "阿哥", "庆典", "朝廷", "自治州", "自治县"}
)
_LIKENESS = re.compile(r"(像|如|比如|例如|类似|学习?)$")


def unheard_places(
    question: str,
    tag: Callable[[str], Sequence[tuple[str, str]]],
    general_freq: Callable[[str], int],
    corpus_lower: str,
) -> list[str]:
    """Well-known place names (北京, 日本: general Chinese uses them often) that no document mentions.

    foreign_places sees only names ending like a place (…区, …市); a bare city or country name asks about
    a place the documents do not cover just as much. jieba tags places ns; a rare string it tags so is
    mostly its guess at a word it does not know (河沟), hence the frequency floor.
    """
    out, before = [], ""
    for w, p in tag(question):
        if (
            p == "ns"
            and len(w) >= 2
            and w not in _GENERIC_PLACE_WORDS
            and general_freq(w) >= focus.NAME_FREQ
            and w.lower() not in corpus_lower
            and not _LIKENESS.search(before)
        ):
            out.append(w)
        before += w
    return out


# An English place name: "Nanguan District", "Jilin Province", "Changchun City".
_LATIN_PLACE = re.compile(r"\b([A-Z][a-z]+)\s+(District|County|City|Province|Prefecture|Town|Township|Municipality)\b")
_PLACE_SUFFIXES = "区县市省镇乡州"
_CJK_TAIL = re.compile(r"[\u4e00-\u9fff]{2,6}$")


def place_spellings(corpus_text: str) -> set[str]:
    """Pinyin spellings (erdao, changchun) of every run of characters before a place suffix in the documents.

    Every tail of each run is spelled (长春市二道 → erdao, shierdao, …): generous on purpose, so that only
    a place the documents never mention is refused.
    """
    try:
        from pypinyin import lazy_pinyin
    except ImportError as e:  # a core dependency; this only happens in a broken install
        raise ImportError("reading English place names needs pypinyin: pip install pypinyin") from e
    runs = set()
    for i, ch in enumerate(corpus_text):
        if ch in _PLACE_SUFFIXES and (m := _CJK_TAIL.search(corpus_text[max(0, i - 6) : i])):
            runs.add(m.group(0))
    out = set()
    for run in runs:
        for i in range(len(run) - 1):
            out.add("".join(lazy_pinyin(run[i:])))
    return out


def foreign_latin_places(question: str, spellings: Callable[[], set[str]]) -> list[str]:
    """English place names ("Nanguan District") whose pinyin no document's place names spell."""
    found = [(m.group(0), m.group(1).lower()) for m in _LATIN_PLACE.finditer(question)]
    if not found:
        return []
    known = spellings()
    return [name for name, spelled in found if spelled not in known]
