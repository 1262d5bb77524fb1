"""Scope words from document titles, on titles and questions written for this test."""

from __future__ import annotations

from rag import scope


def test_places_a_title_opens_with_and_their_short_forms() -> None:
    assert scope.places("松江市北湖区国民经济和社会发展第十五个五年规划纲要") == {
        "松江市",
        "松江",
        "北湖区",
        "北湖",
        "全市",
        "全区",
    }
    assert scope.places("关于印发云岭县乡村振兴实施方案的通知") == {"云岭县", "云岭", "全县"}
    assert scope.places("中华人民共和国港口法") >= {"中华人民共和国", "中国", "全国", "我国"}


def test_places_later_in_a_title_and_kinds_of_area_are_topics() -> None:
    assert scope.places("智慧城市建设促进条例") == set()
    assert scope.places("北湖经济技术开发区管理办法") == set()
    assert scope.places("关于支持红河市发展的意见") == set()  # the place is what the opinion is about, not its issuer


def test_scope_words_add_the_period_and_the_kind_of_document() -> None:
    words = scope.scope_words("松江市北湖区国民经济和社会发展第十五个五年规划和2035年远景目标纲要")
    assert {"十五五", "“十五五”", "规划", "纲要", "北湖区"} <= words
    assert "条例" in scope.scope_words("松江市养犬管理条例")
    assert "十五五" in scope.scope_words("北湖区“十五五”规划")


def test_only_words_every_document_shares_are_scope() -> None:
    city = "松江市国民经济和社会发展第十五个五年规划纲要"
    district = "松江市北湖区国民经济和社会发展第十五个五年规划纲要"
    common = scope.common_scope([city, district])
    assert "松江市" in common and "北湖区" not in common  # the district's name tells the two apart
    assert scope.common_scope([]) == frozenset()


def test_without_removes_longest_first_and_keeps_a_question_of_only_scope() -> None:
    words = scope.scope_words("松江市北湖区国民经济和社会发展第十五个五年规划纲要")
    assert scope.without("北湖区的冰雪旅游有什么规划？", words) == "的冰雪旅游有什么？"
    assert scope.without("北湖以后看病方便吗", words) == "以后看病方便吗"
    assert scope.without("北湖区规划", words) == "北湖区规划"  # nothing of substance would remain


def test_governing_place_chain_as_written() -> None:
    assert scope.governing(["松江市北湖区国民经济和社会发展第十五个五年规划纲要"]) == "松江市北湖区"
    assert scope.governing(["松江市北湖区规划纲要", "松江市北湖区养犬管理办法"]) == "松江市北湖区"
    assert scope.governing(["松江市北湖区规划纲要", "松江市规划纲要"]) == ""
    assert scope.governing([]) == ""


def test_a_question_naming_a_kind_of_document_is_read_in_those_documents() -> None:
    titles = {
        "plan": "松江市北湖区国民经济和社会发展第十五个五年规划纲要",
        "dogs": "松江市养犬管理条例",
        "rep": "松江市政府工作报告",
    }
    assert scope.referenced("条例里对遛狗有什么要求？", titles) == {"dogs"}
    assert scope.referenced("报告提出今年要办哪些实事？", titles) == {"rep"}
    assert scope.referenced("这份纲要的目标是什么？", titles) == {"plan"}
    assert scope.referenced("报告对老旧小区改造提出了什么要求？", titles) == {"rep"}
    assert scope.referenced("按照条例，狗伤人谁负责？", titles) == {"dogs"}
    assert scope.referenced("纲要关于冰雪产业怎么说？", titles) == {"plan"}
    assert scope.referenced("遛狗要拴绳吗？", titles) == set()  # names no kind of document
    # An English question names the kind in English.
    assert scope.referenced("What does the report say about parks?", titles) == {"rep"}
    assert scope.referenced("Under the regulations, must dogs be leashed?", titles) == {"dogs"}
    assert scope.referenced("Can I report a barking dog?", titles) == set()  # a verb, not "the report"
    assert scope.referenced("条例里对遛狗有什么要求？", {"dogs": titles["dogs"]}) == set()  # only one document


def test_names_of_a_document() -> None:
    assert scope.names("中华人民共和国商标法") == {"中华人民共和国商标法", "商标法"}
    assert scope.names("青岛市控制吸烟条例") == {"青岛市控制吸烟条例", "控制吸烟条例"}
    assert scope.names("《全国年节及纪念日放假办法》") == {"全国年节及纪念日放假办法"}
    # Places and a bare genre alone do not name one document.
    assert scope.names("长春市条例") == {"长春市条例"}
    assert "规划" not in scope.names("二道区规划")


def test_a_question_naming_a_document_by_title() -> None:
    titles = {
        "tm": "中华人民共和国商标法",
        "smoke": "青岛市控制吸烟条例",
        "plan": "长春市二道区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
    }
    assert scope.named("商标法规定注册商标的有效期是多久？", titles) == {"tm": "商标法"}
    assert scope.named("《青岛市控制吸烟条例》里哪些场所禁止吸烟？", titles) == {"smoke": "青岛市控制吸烟条例"}
    assert scope.named("控制吸烟条例对经营者有什么要求？", titles) == {"smoke": "控制吸烟条例"}
    # Words of a title inside other words, or a topic, are not its name.
    assert scope.named("二道区的养老服务有什么规划？", titles) == {}
    assert scope.named("注册商标的有效期是多久？", titles) == {}


def test_a_question_naming_a_place_some_documents_govern() -> None:
    titles = {
        "plan": "长春市二道区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
        "green": "深圳经济特区绿色建筑条例",
        "tm": "中华人民共和国商标法",
    }
    assert scope.governed("二道区的养老服务有什么规划？", titles) == {"plan"}
    assert scope.governed("深圳新建民用建筑要达到什么绿色建筑标准？", titles) == {"green"}
    assert scope.governed("长春和深圳的规定有什么不同？", titles) == {"plan", "green"}
    # The whole of a place, or the country, names no one document; nor does a knowledge base of one.
    assert scope.governed("全国的注册商标怎么续展？", titles) == set()
    assert scope.governed("中国特色社会主义有什么要求？", titles) == set()
    assert scope.governed("全市的养老服务怎么样？", titles) == set()
    assert scope.governed("二道区的养老服务有什么规划？", {"plan": titles["plan"]}) == set()
    assert "深圳" in scope.places("深圳经济特区绿色建筑条例")


def test_a_question_about_the_nation_is_read_in_the_documents_of_no_local_place() -> None:
    titles = {
        "plan": "松江市北湖区国民经济和社会发展第十五个五年规划纲要",
        "dogs": "松江市养犬管理条例",
        "tm": "中华人民共和国商标法",
        "work": "全国劳动模范表彰办法",
    }
    assert scope.national("国家对个体工商户还支不支持？", titles) == {"tm", "work"}
    assert scope.national("我国的商标怎么保护？", titles) == {"tm", "work"}
    # A local place named, a national-level kind of thing (国家级), or no nation at all: not this rule.
    assert scope.national("北湖区怎么落实国家的要求？", titles) == set()
    assert scope.national("有几个国家级开发区？", titles) == set()
    assert scope.national("养犬要登记吗？", titles) == set()
    # Only local documents, or only national ones: nothing to choose between.
    assert scope.national("国家管不管？", {k: titles[k] for k in ("plan", "dogs")}) == set()
    assert scope.national("国家管不管？", {k: titles[k] for k in ("tm", "work")}) == set()


def test_the_longest_name_a_question_writes_wins() -> None:
    titles = {
        "qd": "青岛市控制吸烟条例",
        "bj": "北京市控制吸烟条例",
        "gas": "城镇燃气管理条例",
        "bjgas": "北京市燃气管理条例",
    }
    assert scope.named("青岛市控制吸烟条例规定哪些场所禁止吸烟？", titles) == {"qd": "青岛市控制吸烟条例"}
    assert scope.named("城镇燃气管理条例禁止哪些行为？", titles) == {"gas": "城镇燃气管理条例"}
    # A short name both share names both; two different names are both kept.
    assert set(scope.named("控制吸烟条例对经营者有什么要求？", titles)) == {"qd", "bj"}
    assert set(scope.named("北京市控制吸烟条例和城镇燃气管理条例有什么关系？", titles)) == {"bj", "gas"}


def test_a_rule_named_that_no_document_here_is() -> None:
    """names_another: "when was X issued" about an instrument no title here holds is a topic, not about ours."""
    titles = {"plan": "甲市乙区国民经济和社会发展第十四个五年规划纲要", "law": "中华人民共和国森林法"}
    assert scope.names_another("丙省禁渔规定是哪一年出台的？", titles)
    assert scope.names_another("关于乡村旅游的意见是谁发布的", titles)
    # Ours, named whole, short, with words before it, or pointed at.
    assert not scope.names_another("请问森林法是哪年施行的？", titles)
    assert not scope.names_another("《森林法》哪年修订的", titles)
    assert not scope.names_another("这个规定什么时候施行？", titles)
    assert not scope.names_another("规划是哪年批准的？", titles)  # a genre alone names no other document
    assert not scope.names_another("该办法自何时起施行", titles)


def test_what_another_instrument_says_is_not_here() -> None:
    titles = {"spa": "甲市温泉管理条例", "fund": "乙省住房公积金管理条例"}
    # Its text is asked for: what it says, or how it compares with ours.
    q = "2015年的《甲市温泉卫生管理办法》规定的水质标准是什么？"
    assert scope.clean_name(scope.asks_what_another_says(q, titles) or "") == "甲市温泉卫生管理办法"
    assert scope.asks_what_another_says("丙省燃气安全条例里对温泉锅炉怎么说？", titles)
    assert scope.clean_name(scope.other_instrument("温泉管理条例和消防法哪个罚得重？", titles) or "") == "消防法"
    # Named in passing, it is not what is asked; ours is ours, even by a shorter name.
    assert scope.asks_what_another_says("按照丙省燃气安全条例办理的，还要备案吗？", titles) is None
    assert scope.other_instrument("温泉管理条例规定了哪些义务？", titles) is None
    assert scope.other_instrument("公积金管理条例里怎么说", titles) is None
    # 管理条例 alone is any regulation's ending, not ours: 丁市供热管理条例 is another one.
    assert scope.other_instrument("丁市供热管理条例规定的供暖温度是多少？", titles) == "丁市供热管理条例"
    # A name in 《》 names a document of any genre; a loosely written name of ours is ours.
    plan = {"plan": "甲市乙区国民经济和社会发展第十四个五年规划和2035年远景目标纲要"}
    assert scope.asks_what_another_says("《甲市国土空间总体规划》对乙区怎么定位？", plan) == "甲市国土空间总体规划"
    assert scope.other_instrument("《乙区十四五规划》里养老怎么说？", plan) is None
    q = "《甲市国土空间总体规划（2021—2035年）》里对乙区怎么定位？"
    assert scope.asks_what_another_says(q, plan) == "甲市国土空间总体规划（2021—2035年）"
    assert scope.other_instrument("乙区的十四五规划里提到了什么？", plan) is None
    # The genre after words no name holds (这事儿条例里) names no instrument.
    assert scope.other_instrument("孩子在温泉被烫了，这事儿条例里咋说？", titles) is None
    # 规定 after 超过, 违反, 按: the rules in general, not a rule by name.
    assert scope.other_instrument("泡池面积超过规定标准的，会怎么处理？", titles) is None
    assert scope.other_instrument("温泉没按规定公示水质，谁来管？", titles) is None
    assert scope.other_instrument("违反规定收费的温泉怎么罚？", titles) is None
    assert scope.other_instrument("违反丙省温泉八项规定的怎么办？", titles) is not None
    # Ours by a shortened name: a title of the same genre holds nearly all the name's characters (the genre word
    # aside); another genre (条例 beside our 办法) is another document, and 怎么规定 is the verb, not a rule's name.
    leave = {"leave": "企业职工温泉疗养假实施办法"}
    assert scope.other_instrument("温泉疗养假办法里说的年度是按什么算的？", leave) is None
    assert scope.other_instrument("温泉疗养假办法是怎么规定的？", leave) is None
    assert scope.other_instrument("职工温泉疗养假条例规定几天？", leave) == "职工温泉疗养假条例"
    assert scope.other_instrument("丙省温泉卫生管理办法是怎么规定的？", leave) == "丙省温泉卫生管理办法"


def test_another_places_own_document_is_not_here() -> None:
    titles = {"d": "甲市乙区国民经济和社会发展第十四个五年规划和2035年远景目标纲要"}
    # The plan mentions neighbours; their own plans are other documents.
    assert scope.other_places_document("丙丁区的“十四五”规划里温泉怎么安排？", titles) == "丙丁区"
    assert scope.other_places_document("请问戊己县十四五规划里养老怎么说？", titles) == "戊己县"
    assert scope.other_places_document("丙丁区的政策跟乙区比哪个好？", titles) == "丙丁区"
    # Its topic may come between the place and the kind after 的; after a bare place it names no place's document.
    assert scope.other_places_document("丙丁区自己的温泉旅游规划是咋安排的？", titles) == "丙丁区"
    assert scope.other_places_document("戊己县的冰雪产业政策有哪些？", titles) == "戊己县"
    assert scope.other_places_document("听说区里把温泉规划成几个片区？", titles) is None
    assert scope.other_places_document("人失业了区里有什么帮扶办法？", titles) is None
    # The documents' own places, kinds of area and words for "here" are no other place.
    for question in [
        "乙区的规划里养老怎么说？",
        "甲市的规划纲要怎么说？",
        "开发区的规划有哪些？",
        "本区的规划怎么说？",
    ]:
        assert scope.other_places_document(question, titles) is None, question
    assert scope.other_places_document("丙丁区的温泉怎么样？", titles) is None  # no document of its own asked for


def test_a_document_here_named_by_its_place_and_genre_is_ours() -> None:
    titles = {"d": "松江市温泉管理条例"}
    assert scope.other_instrument("松江市条例规定温泉几点关门？", titles) is None
    assert scope.other_instrument("林海市条例规定温泉几点关门？", titles) == "林海市条例"  # another place's
    assert scope.other_instrument("松江市滑雪场条例怎么规定的？", titles) is not None  # another of that place
