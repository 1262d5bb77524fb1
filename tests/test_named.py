"""A section the question names by number leads (rag.named)."""

from rag import named
from rag.types import Locator


def _sections(*paths: tuple[str, ...]) -> list[tuple[Locator, float]]:
    return [(Locator("d", p), 5.0 - i) for i, p in enumerate(paths)]


def test_references_name_one_section_each() -> None:
    assert named.references("第三篇第四章提出要建设哪些温泉？") == [(("篇", 3), ("章", 4))]
    assert named.references("第3篇第4章讲什么") == [(("篇", 3), ("章", 4))]
    assert named.references("本条例第十二条规定了什么？") == [(("条", 12),)]
    assert named.references("第二章第十二条和第十三条有什么不同？") == [(("章", 2), ("条", 12)), (("条", 13),)]
    # A lone part or chapter holds many sections; 第几条 names none.
    assert named.references("第三篇讲了哪些温泉？") == []
    assert named.references("温泉收费规定在第几条？") == []
    # The rule broken or followed is context: what is asked (the penalty) is elsewhere.
    assert named.references("违反第十二条规定私开温泉的，罚多少？") == []
    assert named.references("依照本条例第十二条办理的，还要备案吗？") == []
    assert named.references("违反本条例第十二条、第十三条规定的，罚多少？") == []
    assert named.references("违反第十二条的，按第十五条罚多少？") == [(("条", 15),)]  # the penalty article, named
    assert named.references("第十二条和第十三条有什么不同？") == [(("条", 12),), (("条", 13),)]


def test_the_named_section_leads_and_scores_follow_positions() -> None:
    sections = _sections(("第四篇", "第四章"), ("第三篇", "第四章"), ("第三篇",))
    moved = named.by_named_section("第三篇第四章提出要建设哪些温泉？", sections)
    assert [loc.path for loc, _ in moved] == [("第三篇", "第四章"), ("第四篇", "第四章"), ("第三篇",)]
    assert [s for _, s in moved] == [s for _, s in sections]  # the evidence strength is unchanged
    articles = _sections(("第一章", "第三条"), ("第二章", "第十二条"))
    assert named.by_named_section("第十二条规定了什么？", articles)[0][0].path == ("第二章", "第十二条")
    # Nothing named, or named and already first, or named and not found: the same list.
    assert named.by_named_section("温泉怎么建？", sections) is sections
    assert named.by_named_section("第四篇第四章讲什么？", sections) is sections
    assert named.by_named_section("第九篇第一章讲什么？", sections) is sections
