"""Demo organisation: a district health system shaped like the real one, about 200 staff. Idempotent.

Every account it creates shares DEMO_PASSWORD and is flagged `is_demo`: while one is active, the login pages say so
and give the password (elearn/org/templatetags/demo_notice.py), so nobody mistakes the demo for a real install.
"""

import random

from django.contrib.auth.hashers import make_password

from elearn.org.models import Institution, User
from elearn.org.services import institution_refresh_headcount

DEMO_PASSWORD = "anquan2026"
ADMIN_LOGIN = "admin"

INSTITUTIONS = [
    ("清河区卫生健康局机关", "区卫健局", Institution.Kind.BUREAU, 6),
    ("清河区卫生健康综合监督执法大队", "监督大队", Institution.Kind.BUREAU, 4),
    ("清河区人民医院", "区人民医院", Institution.Kind.HOSPITAL, 30),
    ("清河区中医医院", "区中医院", Institution.Kind.HOSPITAL, 20),
    ("清河区第二人民医院", "区二院", Institution.Kind.HOSPITAL, 12),
    ("清河区妇幼保健院", "妇幼保健院", Institution.Kind.DIRECT, 10),
    ("清河区疾病预防控制中心", "区疾控中心", Institution.Kind.DIRECT, 9),
    ("清河区急救中心", "急救中心", Institution.Kind.DIRECT, 8),
    ("清河区精神卫生中心", "精卫中心", Institution.Kind.DIRECT, 6),
    ("东湖镇中心卫生院", "东湖中心院", Institution.Kind.CENTRAL_TOWNSHIP, 9),
    ("西岭镇中心卫生院", "西岭中心院", Institution.Kind.CENTRAL_TOWNSHIP, 8),
    ("南塘镇中心卫生院", "南塘中心院", Institution.Kind.CENTRAL_TOWNSHIP, 8),
    ("北山镇卫生院", "北山卫生院", Institution.Kind.TOWNSHIP, 6),
    ("柳溪镇卫生院", "柳溪卫生院", Institution.Kind.TOWNSHIP, 6),
    ("桃源乡卫生院", "桃源卫生院", Institution.Kind.TOWNSHIP, 5),
    ("白石镇卫生院", "白石卫生院", Institution.Kind.TOWNSHIP, 5),
    ("青山乡卫生院", "青山卫生院", Institution.Kind.TOWNSHIP, 5),
    ("石桥镇卫生院", "石桥卫生院", Institution.Kind.TOWNSHIP, 5),
    ("龙泉镇卫生院", "龙泉卫生院", Institution.Kind.TOWNSHIP, 5),
    ("新河镇卫生院", "新河卫生院", Institution.Kind.TOWNSHIP, 5),
    ("安宁乡卫生院", "安宁卫生院", Institution.Kind.TOWNSHIP, 5),
    ("凤凰镇卫生院", "凤凰卫生院", Institution.Kind.TOWNSHIP, 5),
    ("城东街道社区卫生服务中心", "城东社区中心", Institution.Kind.OTHER, 7),
    ("城西街道社区卫生服务中心", "城西社区中心", Institution.Kind.OTHER, 7),
]
DEPARTMENTS = [
    "内科",
    "外科",
    "护理部",
    "急诊科",
    "药剂科",
    "检验科",
    "放射科",
    "总务科",
    "院办",
    "保卫科",
    "公卫科",
    "财务科",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉玲宇浩凯鹏晨欣怡佳琪子涵雨轩博"


def seed_organisation(stdout=None) -> dict:
    rng = random.Random(2026)
    password_hash = make_password(DEMO_PASSWORD)
    institutions = []
    for name, short, kind, _size in INSTITUTIONS:
        inst, _ = Institution.objects.update_or_create(name=name, defaults={"short_name": short, "kind": kind})
        institutions.append(inst)

    def ensure(employee_no, **fields):
        user = User.objects.filter(employee_no=employee_no).first()
        if user is None:  # flagged: the login pages announce demo accounts and their shared password
            user = User(employee_no=employee_no, password=password_hash, is_demo=True, **fields)
            user.save()
        return user

    admin = ensure(
        ADMIN_LOGIN,
        real_name="区卫健局管理员",
        role=User.Role.ADMIN,
        institution=institutions[0],
        department="安全生产办公室",
    )
    officers = []
    for number, (inst, (_n, _s, _k, size)) in enumerate(zip(institutions, INSTITUTIONS, strict=True), start=1):
        for seq in range(1, size + 1):
            employee_no = f"{number:02d}{seq:03d}"
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            role = User.Role.OFFICER if seq == 1 else User.Role.STAFF
            department = "安全生产办公室" if seq == 1 else rng.choice(DEPARTMENTS)
            if User.objects.filter(mobile=mobile).exclude(employee_no=employee_no).exists():
                mobile = ""
            user = ensure(
                employee_no, real_name=name, mobile=mobile, institution=inst, department=department, role=role
            )
            if seq == 1:
                officers.append(user)
    institution_refresh_headcount(institution_ids=[i.pk for i in institutions])
    staff_example = (
        User.objects.filter(role=User.Role.STAFF, institution=institutions[2]).order_by("employee_no").first()
    )
    if stdout:
        stdout.write(f"  institutions: {len(institutions)}, staff: {User.objects.count()}")
    return {"admin": admin, "officer": officers[2], "staff": staff_example, "institutions": institutions}
