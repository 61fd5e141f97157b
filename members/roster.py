"""The regulation's annex as data (R-ORG-3): units, bodies, duties and who holds which seat.

Names are written without the annex's alignment padding ("赵  曼" is 赵曼). Where the annex
does not say which unit a person heads, the person's unit stays empty: nothing is invented.
"""

# (code, name, short name, English name); Art. 3 lists these 14 member units in this order.
UNITS = [
    ("president-office", "党委校长办公室", "党办校办", "Party & President's Office"),
    ("netc", "网络与教育技术中心", "网教中心", "Network & Educational Technology Center"),
    ("publicity", "宣传部", "宣传部", "Publicity Department"),
    ("academic-affairs", "教务处", "教务处", "Academic Affairs Office"),
    ("graduate-school", "研究生院", "研究生院", "Graduate School"),
    (
        "science-technology",
        "科学技术发展研究院",
        "科研院",
        "Science & Technology Development Institute",
    ),
    ("student-affairs", "学生处", "学生处", "Student Affairs Office"),
    ("human-resources", "人事处", "人事处", "Human Resources Office"),
    ("finance", "计划财务处", "计财处", "Planning & Finance Office"),
    ("state-assets", "国资管理处", "国资处", "State Assets Office"),
    ("infrastructure", "基建规划处", "基建处", "Infrastructure Planning Office"),
    ("logistics", "后勤处", "后勤处", "Logistics Office"),
    ("security", "保卫处", "保卫处", "Security Office"),
    ("library", "图书馆", "图书馆", "Library"),
]

# Art. 10: duties of the Work Group's member units.
UNIT_DUTIES = {
    "president-office": [
        (1, "负责全校电子政务信息化工作的统筹协调", "Coordinate e-government across the university")
    ],
    "publicity": [
        (2, "负责全校网站信息管理和网站安全管理", "Manage website content and website security")
    ],
    "finance": [
        (3, "负责协调、安排信息化项目经费及使用监管", "Arrange project funding and oversee its use")
    ],
    "state-assets": [
        (
            4,
            "负责信息化项目的招标、验收及资产管理",
            "Tender, accept and manage the assets of projects",
        )
    ],
    "netc": [
        (
            5,
            "负责学校计算资源建设、数据资源管理、信息系统运行和安全，为全校提供信息技术的支撑和保障",
            "Computing and data resources, operation and security of information systems",
        )
    ],
}

# (code, kind, name, English name, parent code, host unit code, article)
# Art. 15: the minutes of the Leading Group and of the Work Group: (mark, number prefix).
MINUTES = {
    "leading-group": ("信息化工作领导小组纪要", "信息化纪要"),
    "work-group": ("信息化工作组纪要", "信息化工作组纪要"),
}

BODIES = [
    (
        "leading-group",
        "leading_group",
        "信息化工作领导小组",
        "Informatization Leading Group",
        None,
        None,
        3,
    ),
    (
        "work-group",
        "work_group",
        "信息化工作组",
        "Informatization Work Group",
        "leading-group",
        None,
        4,
    ),
    (
        "office",
        "office",
        "信息化工作领导小组办公室",
        "Leading Group Office",
        "leading-group",
        "netc",
        5,
    ),
    (
        "expert-panel",
        "expert_panel",
        "信息化工作专家组",
        "Informatization Expert Panel",
        "leading-group",
        None,
        6,
    ),
]

BODY_DUTIES = {
    "leading-group": (
        7,
        [
            (
                "按照国家信息化建设方针、政策和教育信息化发展趋势，统筹规划、指导学校信息化工作",
                "Plan and guide the university's informatization",
            ),
            (
                "负责审定学校信息化发展规划、重要信息化规章制度，审议信息化建设、管理和运行中的重大问题",
                "Approve development plans and major regulations; deliberate major issues",
            ),
            (
                "负责论证学校年度重大信息化项目建设方案和经费预算",
                "Review the year's major projects and their budgets",
            ),
            (
                "负责聘请信息化专家组建专家组，为学校信息化工作提供指导和咨询",
                "Appoint the Expert Panel",
            ),
            ("其他信息化工作相关重大事项", "Other major matters of informatization"),
        ],
    ),
    "work-group": (
        8,
        [
            ("负责领导小组决定事项和安排工作的具体落实", "Carry out the Leading Group's decisions"),
            (
                "研究制定学校信息化规章制度、信息标准、技术规范，推进全校信息资源共享与整合工作",
                "Draft regulations, information standards and technical specifications; promote data sharing",
            ),
            (
                "负责学校年度信息化建设的项目征集、立项建议、经费预算，组织对项目实施情况进行督办和检查验收",
                "Run the annual project cycle: call, recommendation, budget, supervision, acceptance",
            ),
            (
                "负责组织对全校信息化工作进行检查、督导、评价、考核",
                "Inspect, evaluate and assess informatization across the university",
            ),
            (
                "负责制定校园网信息安全防护方案，对各部门网络信息安全管理和技术防护工作进行检查指导",
                "Set the campus network security plan and inspect units",
            ),
            ("组织信息化业务培训工作", "Organise training"),
        ],
    ),
    "office": (
        9,
        [
            (
                "负责对领导小组和工作组议定事项、安排工作的办理、落实、督办",
                "Carry out, follow up and supervise what the Leading Group and Work Group decided",
            ),
            ("负责联系专家组", "Liaise with the Expert Panel"),
            (
                "负责领导小组和工作组的秘书性工作",
                "Secretarial work for the Leading Group and Work Group",
            ),
        ],
    ),
    "expert-panel": (
        11,
        [
            (
                "负责学校信息化重大建设项目与技术改造的论证和咨询",
                "Review major projects and technical renovations",
            ),
            ("负责向领导小组提出学校信息化建设、管理与运行方面的建议", "Advise the Leading Group"),
            ("负责向办公室提供技术性指导意见", "Give the Office technical guidance"),
            ("承担学校及领导小组的其他咨询工作", "Other consulting"),
        ],
    ),
}

# People of the annex: (username, full name, unit code or None, title).
PEOPLE = [
    ("sunqixin", "孙其信", None, "校长"),
    ("zhaoman", "赵曼", None, "主管信息化工作的校领导"),
    ("mabohu", "马博虎", "president-office", "党委校长办公室主任"),
    ("lili", "李力", "netc", "网教中心主任"),
    ("yanzushu", "阎祖书", None, ""),
    ("chenyulin", "陈玉林", None, ""),
    ("huoxuexi", "霍学喜", None, ""),
    ("weigehong", "韦革宏", None, ""),
    ("wangwenbo", "王文博", None, ""),
    ("liuweijun", "刘卫军", None, ""),
    ("huxinsheng", "胡信生", None, ""),
    ("zhangsuiping", "张岁平", None, ""),
    ("hansujian", "韩苏建", None, ""),
    ("daijun", "戴军", None, ""),
    ("liuxiping", "刘西平", None, ""),
    ("yangjiarong", "杨家荣", None, ""),
    ("zhangxiaoli", "张晓丽", None, ""),
    ("wangxijun", "王西军", None, ""),
    ("guoxiangping", "郭向平", None, ""),
]

# Seats of the annex: body code -> [(role, username, held by virtue of, as head of unit code)].
SEATS: dict[str, list[tuple[str, str, str, str | None]]] = {
    "leading-group": [
        ("leader", "sunqixin", "校长", None),
        ("deputy", "zhaoman", "主管信息化工作的校领导", None),
        ("member", "mabohu", "党委校长办公室主要负责人", "president-office"),
        ("member", "lili", "网教中心主要负责人", "netc"),
        ("member", "yanzushu", "", None),
        ("member", "chenyulin", "", None),
        ("member", "huoxuexi", "", None),
        ("member", "weigehong", "", None),
        ("member", "wangwenbo", "", None),
        ("member", "liuweijun", "", None),
        ("member", "huxinsheng", "", None),
        ("member", "zhangsuiping", "", None),
        ("member", "hansujian", "", None),
        ("member", "daijun", "", None),
        ("member", "liuxiping", "", None),
        ("member", "yangjiarong", "", None),
    ],
    "work-group": [
        ("leader", "zhaoman", "主管信息化工作的校领导", None),
        ("deputy", "mabohu", "党委校长办公室主任", "president-office"),
        ("deputy", "lili", "网教中心主任", "netc"),
        ("member", "yanzushu", "", None),
        ("member", "huxinsheng", "", None),
        ("member", "zhangsuiping", "", None),
        ("member", "zhangxiaoli", "", None),
        ("member", "wangxijun", "", None),
        ("member", "guoxiangping", "", None),
    ],
    # Art. 5: the Office director is the NETC director, concurrently.
    "office": [("office_director", "lili", "网教中心主任兼任", "netc")],
    # The annex names no experts: the panel starts empty and is flagged (R-ORG-2).
    "expert-panel": [],
}

# Who heads a unit, where the annex says so: the holder of a seat held as the unit's head
# (李力 heads NETC, 马博虎 the Party & President's Office). Every other unit's head seat starts
# empty, for the Office to fill.
UNIT_HEADS = {
    head_of: username
    for seats in SEATS.values()
    for _role, username, _ex_officio, head_of in seats
    if head_of
}

# R-ORG-4: the document that names the leaders and deputies loaded from the annex (the
# regulation itself); later appointments cite their own.
ANNEX_DOCUMENT = "办发〔2014〕39号"
