"""Pure reading of what a question asks: its content terms, the type of answer it wants, whether it is about
the document itself, and whether it asks about the future or the past.

These are general mechanisms over word classes, not lists of known questions: the policy combines them
with the evidence (rag.policy) to decide whether the documents answer a question, in full or in part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rag import questions


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words of questions, standard and colloquial (啥, 咋, 大伙): what is asked *how*, never *what about*.
# Colloquial words for "measures" (新招儿, 法子, 路子), "do" (咋整, 弄成) and "support" (撑腰, 帮衬) ask how too.
_QUESTION_WORDS = _words(
    """
    什么 哪些 哪个 哪里 哪儿 哪 怎么 怎么样 怎样 如何 多少 多大 多久 几 是否 有没有 有无 吗 呢 吧 啊 呀 谁 为什么
    为何 能否 能不能 会不会 会 能 可不可以 可以 是不是 是 有 没有 的 了 地 得 在 和 与 及 或 或者 还 还是 也 都 就 要
    想 我 我们 你 你们 咱 咱们 他们 大家 这个 那个 这些 那些 这 那 该 其 请问 请 问 一下 一些 关于 对于 方面 情况
    多长 多长时间 多远 多高 多重 多宽 多深 多快 多早 多晚
    问题 内容 具体 主要 相关 有关 哪方面 目前 现在 如今 今后 以后 将来 未来 打算 计划 规划 纲要 本 里 中 上 下 提到
    提出 说 讲 写 给 让 把 被 对 从 到 为 以 于 之 等 个 么 嘛 哦 怎么办 好 多 少 大 小 新 更 最 很 一 二 三 两
    些 样 种 项 东西 事 事情 工作 举措 措施 政策 发展 建设 还有 另外 以及 此外 那么 然后
    啥 咋 咋样 咋办 干吗 干嘛 大伙 大伙儿 大家伙 俺 俺们 呗 事儿 点儿 玩意 玩意儿 不 没 着
    哪几 哪几种 哪种 几种 什么样 哪类 表述 提法 说法 写法 规定 要求 分别 各自 各有 领域 程度 范围 类型 种类 形式
    施行 生效 哪天 哪一天 开始 起 意思 含义 样子 样儿 模样
    招 招儿 新招 新招儿 招数 法子 路子 新路子 门道 章程 办法 思路 说道 整 弄 搞 咋整 咋弄 咋搞 整成 弄成 搞成 改成
    寻思 琢磨 鼓捣 掺和 撑腰 帮衬 给点 能给
    原文 原话 原句 措辞 开篇 开头 结尾 全文 文中 文内 条文 章节 段落 出处
    """
)
_LATIN_STOP = _words(
    """
    what which who whom whose when where why how is are was were be been do does did the a an of in on for to and
    or will would can could should there their its it this that these those plan plans district erdao about any
    with by from as at into than then has have had me my our we you your i
    """
)
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]")

# Answer types: what the question wants back, and what evidence of that type looks like.
_WANTS = {
    # A person holding a post (局长是谁, 分管的领导叫什么名字): a name, which a body (公安机关) does not give.
    # Before "name" and "who": both would take a body or any proper name for an answer.
    "person": re.compile(
        r"(领导|局长|区长|市长|县长|镇长|书记|主任|部长|厅长|处长|科长|院长|校长|园长|所长|主席|负责人|经理|董事长"
        r"|常委|委员|班子成员)"  # the members of a body by name: 政治局常委都有谁
        r"[^，。？?]{0,3}(是谁|叫什么|叫啥|姓什么|姓啥|是哪位|名字|都有谁|都是谁|有哪些人|是哪些人)"
        r"|\bwho is the (head|director|mayor|chief|secretary|chairman|leader|minister)\b"
        r"|\bname of the (head|director|mayor)\b",
        re.I,
    ),
    # "How long" before "when": 多久 wants a span (十年, 六个月, 三十日), a date does not answer it.
    # 几年 asks for a span too, but not 前几年 / 近几年 / 哪几年 (some recent years, which years); 提前几天 does.
    # 几个月 is a span, 几月(份) a month of the year: the when type.
    "how_long": re.compile(
        r"多久|多长时间|多少(年|天|日|个月)|(?<![这那好十头后近最哪])(?<!(?<!提)前)(几个?(年|天|日|周|星期|小时)|几个月)"
        r"|期限是|有效期(是|为|有)"
        r"|\bhow long\b",
        re.I,
    ),
    "when": re.compile(
        r"什么时候|何时|哪一?年|哪几年|哪些年|几月|哪天|什么时间|何年|啥时候|几时|what year"
        # English "when" asks only as the question's word: "what happens … when a house is expropriated" does not.
        r"|^\W*when\b|\bwhen (will|would|does|do|did|is|are|was|were|can|could|should|must|has|have)\b",
        re.I,
    ),
    # Where in the document (在哪里提出的, 哪一章) asks for a section, which every answer cites, not a place.
    "where": re.compile(
        # 从哪里来 asks for a source (资金从哪里来: 财政, 社会资本), not a place.
        r"(在哪|(?<!从)哪里|(?<!从)哪儿)(?!一?[章篇节条部])(?![里儿]?(提出|提到|说|讲|写|出现|规定|表述|论述))"
        # 用在哪些方面, 在哪个领域: which kind of use, not a place.
        r"(?!些?个?(方面|领域|环节|行业|用途|事项))"
        r"|什么地方|什么位置|地址|位置在|哪条(街|路)|哪个(街道|社区|小区|位置)"
        r"|^\W*where\b|\bwhere (is|are|was|were|can|could|do|does|did|should|will|to)\b",
        re.I,
    ),
    # "谁来…" is usually rhetorical (谁来照顾老人): only a question naming a body or person asks "who".
    "who": re.compile(
        r"是谁|由谁|哪位|哪(个|家|一家)(部门|单位|机构|公司|企业|机关)|哪家"
        r"|\bwho (is|are|was|will)\b|which (department|agency|office)",
        re.I,
    ),
    # 什么颜色: a colour, which a text names as one (绿色, 灰色), not by the thing it colours.
    "color": re.compile(r"(什么|啥|哪种|哪个)颜色|颜色是|\bwhat colou?r\b", re.I),
    # 叫什么名字, 名单有哪些, 分别叫啥: the name of something, which a document gives in quotes or as a proper name.
    "name": re.compile(
        r"叫什么名|叫啥名|什么名字|名字是什么|名字叫什么|名称是什么|叫什么名称|名单|叫(什么|啥)\s*(?=[？?，,。]|$)"
        r"|\bwhat is (it|the \w+) called\b",
        re.I,
    ),
}
# 3周岁 is an age; 下一年度, 同一天 name a year or a day, not a span of one (每五年 is how often: it stays).
_SPAN = (
    r"(?<![下上同第这那哪本当])(\d+|[一二两三四五六七八九十百半]+)\s*(个)?(年(?!度)|月|日|天|周(?!岁)|星期|小时|工作日)"
)
_HAS = {
    # A duration stated without a number is still one: 长期坚持, 永久保存.
    "how_long": re.compile(_SPAN + r"|长期|永久|长久|无限期"),
    "when": re.compile(
        r"\d{4}\s*年|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|[一二][〇零一二三四五六七八九]{3}\s*年|\d{1,2}\s*月|[一二三四五六七八九十]+月|年底|年初|年内|年前|年末|上半年|下半年|期间|时期|以前|之前|同期|\d{4}[—\-－–~]\d{4}"
        r"|(公布|发布|印发|批准)之日"  # a document's own time: 自公布之日起施行
    ),
    # 路 ends a road's name, not 思路, 出路, 道路, 新路 (a way of doing, a way out, roads in general).
    # Regulations place things by role or by measure: 户口所在地, 居住地, 驾驶证核发地, 指定的地点, 距离地面一米处.
    "where": re.compile(
        r"[\u4e00-\u9fff]{1,12}((?<![思出道线套门网销老新弯进退后理])路|大街|大路|大道|胡同|广场|公园|号院|门牌|交汇处)"
        r"|(所在|居住|住所|户籍|核发|发生|处理|登记|注册|经营|学习|工作|出生)地|指定的?(地点|场所|位置|区域)"
        r"|[\d一二两三四五六七八九十]+米处"
    ),
    # A named body: "二道区发展和改革局", "区人大常委会"; a bare 政府 or 部门 names nobody.
    # Regulations name bodies by function: 消防救援机构, 市住房资金管理部门, 街道办事处; 部门 needs three characters
    # before it, so a clause opening 有关部门 names nobody (由有关部门 still passes: a loose bound, not a parser).
    "who": re.compile(
        # 局 ends a bureau's name, not 全局, 大局, 格局, 布局, 变局 (the whole situation, a layout, a turn).
        r"[\u4e00-\u9fff]{2,16}((?<![全大格布结开变僵时棋政残定新])局|委员会|管委会|办公室|人民政府|人大常委会|公司|集团|机构|办事处|机关|法院)"
        r"|[\u4e00-\u9fff]{3,16}部门|(?<![\u4e00-\u9fff])[省市区县镇乡]人民政府"  # 市、区人民政府: each a body
    ),
    "color": re.compile(r"[红橙黄绿青蓝紫黑白灰棕褐粉金银]色"),
    # A person's name as documents write it: 张三同志, 李四先生 (plans and regulations name posts, not holders).
    "person": re.compile(r"[\u4e00-\u9fff]{2,3}(同志|先生|女士)"),
    # Where to go for an errand: the office that handles it, or how to reach it.
    "contact": re.compile(r"电话|热线|网站|网上|平台|窗口|服务中心|政务服务|信箱|邮箱|APP|小程序", re.I),
}
# "上哪儿举报", "去哪办", "到哪里申请": the place asked for is the office that handles the errand (or how to reach
# it), not a street address.
_ERRAND_WHERE = re.compile(
    r"(去|上|到|找|在)(哪|哪儿|哪里|什么地方)[^，。？?]{0,4}"
    r"(举报|投诉|告|起诉|反映|申请|办理|办|登记|备案|报名|咨询|查询|查|看|交|缴|领|报|补|换|弄|开|拿|取)"
    r"|(举报|投诉|反映|申请|办理|登记|备案|报名|咨询|查询)[^，。？?]{0,4}(去|上|到|找)(哪|哪儿|哪里)"
)


def errand_where(question: str) -> bool:
    """Does a where-question ask where to go for an errand (上哪儿举报)? Then a body or a contact answers it."""
    return bool(_ERRAND_WHERE.search(question))


# Questions about the document itself (who approved or issued it, when, for which period).
_DOC = r"(规划|纲要|文件|条例|意见|办法|规定|报告|通知|法|这份|本文|它)"
_ABOUT_DOCUMENT = re.compile(
    _DOC + r"[^，。？?]{0,8}(批准|审议|审查|通过|印发|发布|公布|出台|制定|编制|起草|施行|生效|实施日期)"
    # 规划期内 / 规划期末 is a time frame of a topical question (规划期内温泉游客增长多少), not the period asked.
    r"|(哪次|什么)会议|(谁|哪个(部门|单位|机关))(发布|印发|制定|批准|编制)|规划期(?![内间末中里])|时间范围"
    r"|规划(的)?(期限|年限|时段)"
    # Its period, its source or issuing office, its role: attributes of the document, not of a topic.
     + "|" + _DOC + r"[^，。？?]{0,6}(哪几年|哪些年|哪一?年到|起止|年份|期限|来源|发文|出处|作用|意义|性质|定位是什么)"
    r"|(来源|发文|发布|印发)(部门|单位|机关|机构|时间|日期)"
    r"|(which|what) (meeting|body|agency|office)|who (approved|issued|published)"
    r"|when (was|did|does|will) (the|this) (plan|document|notice|regulations?|law|measures?)"
    r"|\b(take|took|takes) effect\b|\b(come|came|comes) into (force|effect)\b"
    r"|(notice|document|plan)\b.{0,40}\b(issued|published|approved)"
    r"|\bsource (office|department)\b|which office|what years|which years|period (of|does) the plan",
    re.I,
)
_FUTURE = re.compile(
    r"以后|将来|今后|未来|十四五|2035|2025|会不会|会更|将会|要建|打算|计划|规划(了|有)?(什么|哪些)|will |going to", re.I
)
_PAST = re.compile(r"过去|以前|已经|十三五|取得了?(什么|哪些)|成就|成绩|成效|回顾|did |achieved|in the past", re.I)
# Sentence markers: a review of what was done, versus what the plan will do.
_PAST_SENTENCE = re.compile(
    r"“十三五”(时期|期间|以来)|过去五年|累计(完成|实现|建成)|已经|已(建成|完成|实现|形成)|取得(了|明显|显著)|实现了|完成了"
)
_FUTURE_SENTENCE = re.compile(r"到20[2-9]\d年|将|力争|加快|推进|推动|建设|打造|实施|完善|提升|加强|培育|构建")


# A clause opening so states a case (要是哪个厂子污染了环境，…): the 哪 in it means "any", and asks nothing.
_CONDITION = re.compile(r"要是|如果|假如|假若|假使|倘若|万一|一旦|若是|只要")
_CLAUSE_END = re.compile(r"[，,。？?；;！!]")


def in_condition(question: str, at: int) -> bool:
    """Is position `at` inside a conditional clause (要是哪天停暖了，…)?"""
    start = max((m.end() for m in _CLAUSE_END.finditer(question, 0, at)), default=0)
    return bool(_CONDITION.search(question, start, at))


def _asks_method(question: str, at: int) -> bool:
    """Is the type word at `at` asked as what a method works out (咋算几天, 怎么计算多长时间)? Its clause asks how."""
    start = max(question.rfind(p, 0, at) for p in "，,。？?；;！!") + 1
    return bool(questions.METHOD.search(question, start, at))


def wants(question: str) -> str | None:
    """The answer type a question asks for: "person", "how_long", "when", "where", "who", "color", "name", or
    None."""
    for kind, pattern in _WANTS.items():
        # 几天 in a yes-no question is "a few days" (rag.questions.few_at): it asks for no span; 哪天 in a
        # conditional clause is "some day".
        if any(
            not (m.group().startswith("几") and questions.few_at(question, m.end()))
            and not in_condition(question, m.start())
            and not _asks_method(question, m.start())
            for m in pattern.finditer(question)
        ):
            return kind
    return None


# "哪所学校", "哪家饭店", "哪几路公交": a question asking which particular one of a kind. 哪些 asks for a list,
# and 哪里 / 哪年 are the where and when types.
_WHICH = frozenset(
    ["哪个", "哪家", "哪所", "哪条", "哪座", "哪位", "哪栋", "哪间", "哪款", "哪几个", "哪一个", "哪一家"]
)
_NOUNISH = ("n", "vn", "s", "j")
# Before a kind whose members go by proper names, 哪些 and 什么 ask for those names as 哪家 does: 选用什么品牌,
# 要建什么商场 want a brand or a mall the answer names, while 什么措施 asks what the document says.
_WHICH_NAMED = frozenset(["哪些", "哪几家", "哪几所", "什么", "啥"])
# Abstract kinds name parts of what a document says, not particular things it names: 哪几个方面 is answered by
# the list of those aspects, which never holds the word 方面.
_ABSTRACT_KINDS = frozenset(
    "方面 部分 内容 措施 举措 环节 类型 种类 领域 方式 途径 渠道 "  # noqa: SIM905 (a word list reads better so)
    "重点 任务 目标 原则 要求 做法 特点 步骤 阶段 层面 维度 方向".split()
)
# Kinds whose particulars a document names by an expression of an answer type, not by the kind's own word:
# 哪个部门 is answered by 二道区人民政府 (a body), 哪条道路 by 吉林大路 (a place).
KIND_TYPES = {"部门": "who", "单位": "who", "机构": "who", "机关": "who", "道路": "where", "马路": "where"}


# Kinds whose members go by proper names (企业, 学校, 小区): 哪些企业 asks for those names, as 哪家企业 does, while
# 哪些措施 asks for a list of what the document says.
NAMED_KINDS = frozenset(
    "企业 公司 厂家 学校 医院 幼儿园 小区 商场 超市 银行 酒店 饭店 餐馆 景区 景点 公园 街道 社区 村庄 机构 品牌".split()  # noqa: SIM905
)


def _named_kind_follows(tokens: Sequence[tuple[str, str]], j: int) -> bool:
    """Does the noun run from tokens[j] end in a kind whose members have proper names?"""
    run = []
    while j < len(tokens) and tokens[j][1].startswith((*_NOUNISH, "a", "b")):
        run.append(tokens[j][0])
        j += 1
    return bool(run) and run[-1] in NAMED_KINDS


def which(question: str, tag: Callable[[str], Sequence[tuple[str, str]]]) -> str | None:
    """The kind a "which one" question asks a particular of (哪所学校 → 学校, 哪个大商场品牌 → 品牌), or None.

    The kind is the head (last word) of the noun run after 哪 and its classifier; a one-character head
    (哪条线) says too little to check, and an abstract one (哪几个方面, 哪些措施) asks for a list: both give None.
    """
    tokens, starts, at = [], [], 0
    for w, p in tag(question):
        if w.strip():
            tokens.append((w, p))
            starts.append(at)
        at += len(w)
    # 建几个公园，都叫啥名: the count comes with the names, so each named one must be a park.
    counted = questions.asks_items(question)
    for i, (w, _) in enumerate(tokens):
        if in_condition(question, starts[i]):
            continue  # 要是哪个厂子…: any factory, not a particular one asked for
        j = i + 1
        if w == "哪" and j < len(tokens) and tokens[j][1] in ("m", "q", "mq", "u"):
            j += 1  # 哪 + 所 / 几路 / 一届
        elif counted and w in ("几", "几个", "几项", "几所", "几家", "几座", "几条", "几处"):
            j += w == "几" and j < len(tokens) and tokens[j][1] in ("q", "m")
        elif w not in _WHICH and not (w in _WHICH_NAMED and _named_kind_follows(tokens, j)):
            continue
        while j < len(tokens) and tokens[j][1] in ("a", "b"):
            j += 1  # 哪个大商场: the adjective is not the kind
        run = []
        # 哪个APP, 哪个网站: a Latin word after the classifier is a noun too (jieba tags it eng).
        while j < len(tokens) and (tokens[j][1].startswith(_NOUNISH) or tokens[j][1] == "eng"):
            run.append(tokens[j][0])
            j += 1
        if run:
            return run[-1] if len(run[-1]) >= 2 and _ABSTRACT_KINDS.isdisjoint(run) else None
    return None


# Kinds whose members are places, which a text names by their own names (卫生责任区 for 哪些区域).
_PLACE_KINDS = frozenset(("区域", "地区", "地方", "场所", "地点"))


def listed_kind(question: str, tag: Callable[[str], Sequence[tuple[str, str]]]) -> str | None:
    """The kind a list question asks the members of (哪些省份 → 省份, 发展指标有哪些 → 指标), or None.

    The kind is the head of the noun run after 哪些, or before (都)有哪些 / 包括哪些; an abstract one (哪些方面,
    措施有哪些) frames the list and gives None, as does a one-character head.
    """
    tokens = [(w, p) for w, p in tag(question) if w.strip()]
    for i, (w, _) in enumerate(tokens):
        if w != "哪些" or in_condition(question, question.find(w)):
            continue
        run = []
        j = i + 1
        while j < len(tokens) and j <= i + 2 and tokens[j][1] in ("a", "b", "v", "vd"):
            j += 1  # 哪些配套景区, 哪些新建学校: what modifies the kind is not the kind
        while j < len(tokens) and tokens[j][1].startswith(_NOUNISH):
            run.append(tokens[j][0])
            j += 1
        if not run and (i + 1 == len(tokens) or tokens[i + 1][1] in ("x", "y")):
            # X(都)有哪些？, X包括哪些？: the run before the verb
            j = i - 1
            while j >= 0 and tokens[j][0] in ("有", "都", "包括", "包含", "还有", "主要"):
                j -= 1
            if j >= 0 and tokens[j][1].startswith(_NOUNISH):
                run = [tokens[j][0]]
        if run:
            head = run[-1]
            return head if len(head) >= 2 and head not in _ABSTRACT_KINDS | _PLACE_KINDS else None
    return None


_TITLED = re.compile(r"《[^《》]*》")
# A name as documents give one: quoted, a title, or a run ending in a word that names a place or body.
_NAME = re.compile(
    r"“[^“”]{2,24}”|《[^《》]{2,40}》|[\u4e00-\u9fff]{2,10}?(?:公园|街道|大街|大路|学校|小学|中学|大学|医院|公司|集团"
    r"|中心|广场|园区|产业园|基地|村|镇|馆|站|港)"
)


def names_given(text: str, question: str = "") -> list[str]:
    """The names a text gives (quoted, titled, or ending in 公园, 中心 …) that the question does not already hold.

    A name ending in 公园 or 镇 is matched with whatever precedes it (建设温泉小镇): it is the question's own when
    any ending of three characters or more is in the question (温泉小镇)."""
    out = []
    for n in _NAME.findall(text):
        bare = n.strip("“”《》")
        own = bare in question if n != bare else any(bare[i:] in question for i in range(len(bare) - 2))
        if not own:
            out.append(n)
    return out


def holds(kind: str, text: str) -> bool:
    """Does the text hold an expression of this answer type (a date, a place, a body or person)? A title in
    《》 is a name: the 2035 in 《…2035年远景目标纲要》 dates nothing."""
    if kind == "name":
        return bool(_NAME.search(text))
    return bool(_HAS[kind].search(_TITLED.sub("", text)))


# "本条例自2022年7月1日起施行": the sentence that says when a document takes effect (its last article, usually).
_COMMENCEMENT = re.compile(
    r"本(?:条例|办法|规定|细则|规则|决定|意见|方案|规划|纲要|法|准则)自.{0,30}?(?:起)?(?:施行|实施|生效)"
)
_ASKS_COMMENCEMENT = re.compile(
    r"施行|生效|实施日期|起效|effective|take effect|took effect|(come|came) into force", re.I
)


def states_commencement(text: str) -> bool:
    """Does the text say when the document itself takes effect?"""
    return bool(_COMMENCEMENT.search(text))


def asks_commencement(question: str) -> bool:
    """Does a question about the document ask when it takes effect (not when it was adopted)?"""
    return about_document(question) and bool(_ASKS_COMMENCEMENT.search(question))


# An instrument a document orders made (菜市场专项规划, 年度实施计划, 禁止携带物品名录): who draws it up or approves
# it is a provision of the document, not a fact about the document itself, unless the question points at it as
# the one here (这份实施方案是谁印发的).
_ORDERED = re.compile(
    r"(?<!这个)(?<!这份)(?<![本该])(专项|详细|控制性|年度|实施|工作|建设)(规划|方案|计划)|目录|名录|清单"
)


def about_document(question: str) -> bool:
    """Is the question about the document itself (approval, issuer, date, period) rather than a topic?"""
    return bool(_ABOUT_DOCUMENT.search(question)) and not _ORDERED.search(question)


# A comparison of two things: 和美国比起来, 跟南关区相比, 与去年对比, 哪个更好, 比…更.
_COMPARES = re.compile(
    r"[和跟与同][^，。？?]{1,12}(相比|比较|对比|比起来|比一比|比的话|一样吗|有什么不同|有啥不同|有何不同|差多少|哪个更|谁更)"
    r"|(哪个|谁)(更|比较)[好强高大多快]|\bcompared? (to|with)\b|\bversus\b|\bvs\.?\s"
    # 本条例和《…法》比，哪个罚得更重; 失业保险和工伤保险有什么区别
    r"|[和跟与同][^。？?]{1,24}比[，,]?\s*(哪个|哪一个|谁)[^，。？?]{0,10}更"
    # 本条例和《…法》在…程序上有什么区别: what the two are compared on may come between
    r"|[和跟与同][^，。？?]{1,24}(有什么|有啥|有何|的)(区别|差别|不同)"
)


def compares(question: str) -> bool:
    """Does the question compare two things? Then an answer on one side of it compares nothing."""
    return bool(_COMPARES.search(question))


def tense(question: str) -> int:
    """+1 when the question asks about the future, -1 about the past, 0 when it does not say."""
    future, past = bool(_FUTURE.search(question)), bool(_PAST.search(question))
    return (1 if future else 0) - (1 if past else 0)


def sentence_tense(sentence: str) -> int:
    """-1 for a review of what was done (十三五 achievements), +1 for what the plan will do, 0 otherwise."""
    if _PAST_SENTENCE.search(sentence):
        return -1
    return 1 if _FUTURE_SENTENCE.search(sentence) else 0


# Parts of speech that name what a question is about: nouns of every kind, verbal and adjectival
# nouns, idioms and abbreviations, foreign words. Pronouns, adverbs, particles and place words
# such as 区里 or 家里 never do.
_CONTENT_POS = ("n", "vn", "an", "eng", "j", "l", "i")
_ASKING_HEAD = re.compile(r"^(哪些|哪一?几?个?|什么|啥)")
_NAME_POS = ("ns", "nr", "nt")  # places, people, organisations
# A name general Chinese uses this often is a real one (俄罗斯, 深圳, 联合国); rarer strings jieba tags as
# names are mostly its guesses at words it does not know (河沟, 三河).
NAME_FREQ = 2000
GENERIC_FREQ = 30000  # nouns this common in general Chinese (地方, 时候) say nothing specific
RARE_VERB_FREQ = 2000  # verbs this rare are activities a question is about (看病, 逛街, 供暖)


def content_terms(
    question: str,
    tag: Callable[[str], Sequence[tuple[str, str]]],
    general_freq: Callable[[str], int],
    in_documents: Callable[[str], bool] = lambda w: True,
) -> list[str]:
    """The words that say what a question is about: nouns and rare verbs, question words and generic words dropped.

    A common name (美国, 北京) is kept when no document holds it (`in_documents`): the documents are then
    silent on it, however often general Chinese uses it; a common name they do hold says nothing specific.
    """
    out: dict[str, None] = {}
    before = ""
    for word, pos in tag(question):
        w, last = word.strip().lower(), before
        before = w or before
        # A question word the segmenter glued to what follows (哪些地方, 啥意思, 什么样子) asks; only what
        # follows can be content, judged as a word of its own.
        w = _ASKING_HEAD.sub("", w) if len(w) > 2 else w
        if not w or w in _QUESTION_WORDS or w in _LATIN_STOP or not _CJK_OR_WORD.search(w):
            continue
        if w[0] in "不没" and last and w[1:].startswith(last):
            continue  # 给不给, 管没管: the second half of a question asked both ways
        if w.isascii():
            if len(w) >= 3 and not w.isdigit():
                out[w] = None
            continue
        if len(w) < 2:
            continue
        noun = pos.startswith(_CONTENT_POS)
        rare_verb = pos.startswith("v") and general_freq(w) < RARE_VERB_FREQ
        name_unheard_of = pos in _NAME_POS and not in_documents(w)
        if (noun and (name_unheard_of or general_freq(w) < GENERIC_FREQ)) or rare_verb:
            out[w] = None
    return list(out)


# How a question is put, whatever the segmenter tags it (压根 n, 修一修 nr): a verb said twice (修一修, 管管: "do
# it a little"), a time pointed at (到时候, 那阵子, 过段时间) and colloquial adverbs name nothing the documents could
# be silent on. A noun said twice is a thing (奶奶, 娃娃).
_MANNER = re.compile(r"^([\u4e00-\u9fff])一\1$|^(到|那|这|过|前|这段|那段|过段|前段)(时候|阵子|阵儿|会儿|段时间)$")
_SAID_TWICE = re.compile(r"^([\u4e00-\u9fff])\1$")
_MANNER_WORDS = _words("压根 有点 有点儿 块儿 这块儿 那块儿 整点 没人管 没人理")


def things(terms: Iterable[str], question: str, tag: Callable[[str], Sequence[tuple[str, str]]]) -> list[str]:
    """The terms that name what the question asks about, not how it says it: the ones a partial answer names
    as not covered, and the only ones whose absence from every document silences them (coverage).

    "The documents do not mention 折腾 (a verb), 差不多 or 好去处 (fixed expressions)" tells a resident
    nothing; nouns and verbal nouns (学位, 入学, 研发) do, and so does a fixed expression that is a compound
    noun (个人所得税, 义务教育: its tail is a noun).
    """
    pos = {w.strip().lower(): p for w, p in tag(question)}

    def names_a_thing(t: str, p: str) -> bool:
        if t in _MANNER_WORDS or _MANNER.match(t) or (_SAID_TWICE.match(t) and p.startswith(("v", "d"))):
            return False
        if p == "l":
            tail = tag(t[1:])  # 人所得税 ends in 所得税 (n); 不多 in 多 (m), 般来说 in 来说 (u)
            return bool(tail) and tail[-1][1] in ("n", "vn")
        return p == "vn" or not (p.startswith("v") or p == "i")

    # 方面, 措施, 方向 frame the answer's form (哪几个方向): the documents' list never holds the word.
    return [t for t in terms if names_a_thing(t, pos.get(t, "n")) and t not in _ABSTRACT_KINDS]


def names(
    terms: Iterable[str],
    question: str,
    tag: Callable[[str], Sequence[tuple[str, str]]],
    general_freq: Callable[[str], int],
) -> list[str]:
    """The terms that are well-known proper names (places, people, organisations): one name is never another's
    counterpart, however close their vectors (美国 and 中国)."""
    pos = {w.strip().lower(): p for w, p in tag(question)}
    return [t for t in terms if pos.get(t, "n") in _NAME_POS and general_freq(t) >= NAME_FREQ]


@dataclass(frozen=True)
class Coverage:
    """How much of a question's content the evidence covers, and what it leaves out."""

    terms: tuple[str, ...]
    covered: tuple[str, ...]  # found in the evidence, literally or by a close counterpart
    uncovered: tuple[str, ...]  # the documents mention them, but not in this evidence
    unknown: tuple[str, ...]  # no document holds them and nothing close does
    score: float  # salience-weighted share covered, 1.0 when there are no content terms
    known: float  # salience-weighted share that is not unknown (1.0 when there are no content terms)

    @property
    def partial(self) -> bool:
        return bool(self.uncovered or self.unknown) and self.score > 0


def coverage(
    terms: Iterable[str],
    evidence: str,
    corpus: str,
    salience: Mapping[str, float] | Callable[[str], float],
    similar: Callable[[str], float],
    min_sigma: float,
    silencing: Callable[[str], bool] = lambda t: True,
) -> Coverage:
    """Each content term is covered when the evidence holds it, or when its embedding is close to the evidence.

    `corpus` is every document's text, lower-cased (once, by the caller). `similar(term)` is how far the
    term's best match among the evidence's words stands out (in standard deviations of its similarity to
    the documents' vocabulary, see Pipeline._similar); `salience(term)` weighs terms (rare words say more
    than common ones; a word no document holds weighs most). `known` is the share of the question's weight
    the documents hold, leaving out unknown terms that are not `silencing`: a thing no document names
    (地铁, 房价) says the documents are silent, a colloquial verb they never use (琢磨, 叫法) only says they
    word it otherwise.
    """
    weigh = salience if callable(salience) else (lambda t: salience.get(t, 1.0))
    terms = list(terms)
    evidence_l = evidence.lower()  # corpus comes lower-cased: it is the whole knowledge base
    covered, uncovered, unknown = [], [], []
    total = got = 0.0
    for t in terms:
        w = weigh(t)
        total += w
        if t in evidence_l or similar(t) >= min_sigma:
            covered.append(t)
            got += w
        elif t in corpus:
            uncovered.append(t)
        else:
            unknown.append(t)
    # Unknown words that name no thing (琢磨, 叫法) say only how the question is put: they count neither
    # against it nor for it. Every known word still counts for it, and a question whose only things are
    # unknown stays unknown (房价 in 房价会涨吗，现在入手合适不).
    weight = sum(weigh(t) for t in terms if silencing(t) or t not in unknown)
    lost = sum(weigh(t) for t in unknown if silencing(t))
    score = got / total if total else 1.0
    known = 1.0 - lost / weight if weight else 1.0
    return Coverage(tuple(terms), tuple(covered), tuple(uncovered), tuple(unknown), score, known)


def expansion(term: str, text: str) -> str | None:
    """The full form a Chinese abbreviation stands for in a text (业委会 → 业主委员会, 住建部门 → 住房和城乡建设部门),
    or None: the term's characters in order, the first and last in place, a few characters between each.

    Only terms of three or more characters: two (天气) would find words they do not shorten (天然气).
    """
    if len(term) < 3 or not all("\u4e00" <= c <= "\u9fff" for c in term):
        return None
    gaps = "".join(re.escape(c) + "[\u4e00-\u9fff]{0,4}" for c in term[:-1]) + re.escape(term[-1])
    for m in re.finditer(gaps, text):
        if len(m.group()) <= 2 * len(term) + 2:
            return m.group()
    return None
