"""The documents' own definitions: which instances a defined term covers (rag.definitions)."""

from __future__ import annotations

from rag import definitions

TEXT = (
    "第二条　本办法所称养老机构，是指为老年人提供集中居住和照料服务的敬老院、养老院、老年公寓等机构。\n"
    "（三）大件垃圾，是指废旧家具、床垫等体积较大的废弃物品；\n"
    "（四）其他垃圾，是指除厨余垃圾、有害垃圾之外的生活垃圾。\n"
    "本办法所称物业服务，是指对房屋、设施设备进行维修、养护的活动。\n"
    "服务合同应当包括价格、期限等内容。\n"
)


def nouns(text: str) -> list[tuple[str, str]]:
    return [(text, "n")]


def test_a_definition_lists_its_instances() -> None:
    defined = definitions.instances(TEXT, nouns)
    assert set(defined) == {"养老机构", "大件垃圾"}
    assert "敬老院" in defined["养老机构"] and "床垫" in defined["大件垃圾"]


def test_what_is_excluded_an_activity_or_a_duty_defines_nothing() -> None:
    defined = definitions.instances(TEXT, nouns)
    # 除…之外 excludes; 物业服务 is an activity (…的活动); 合同应当包括 states what a contract must hold.
    assert not any("厨余垃圾" in v for v in defined.values())
    assert "物业服务" not in defined and "服务合同应当" not in defined and "服务合同" not in defined
    # A term tagged as a verb is an activity too, whatever its definition ends with.
    assert "养老机构" not in definitions.instances(TEXT, lambda t: [(t, "vn")])


def test_a_text_about_the_defined_term_names_its_instances() -> None:
    defined = definitions.instances(TEXT, nouns)
    provision = "养老机构应当建立入住评估制度。"
    assert definitions.placed_under("敬老院", provision, defined) == "养老机构"
    assert definitions.placed_under("床垫", provision, defined) is None  # a 大件垃圾 rule would name it
    assert definitions.placed_under("医院", provision, defined) is None
