"""Demo borrowers: individuals and small businesses across regions and officers."""

from __future__ import annotations

import random
from decimal import Decimal

from application.borrowers import RegisterBorrower
from domain.borrower import BorrowerKind, Profile
from domain.identity import credit_code_check_character, resident_id_check_character

REGIONS = {
    "Hubei": "420106", "Hunan": "430102", "Sichuan": "510104",
    "Yunnan": "530102", "Guangxi": "450102", "Henan": "410102",
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
TRADES = ("小吃店", "便利店", "养殖场", "裁缝铺", "维修部", "茶叶店", "果园", "物流")
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "151", "158", "186", "188")
OFFICERS = ("officer.zhang", "officer.li", "officer.wang")


def resident_id(rng: random.Random, area: str) -> str:
    # Of working age (18 to 65, the products' bounds) from the demo's 2026 to 2030.
    birth = f"{rng.randint(1966, 2003)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{area}{birth}{rng.randint(0, 999):03d}"
    return body + resident_id_check_character(body)


def credit_code(rng: random.Random, area: str) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "92" + area + "".join(rng.choice(chars) for _ in range(9))
    return body + credit_code_check_character(body)


def mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"


def registration(rng: random.Random, n: int) -> RegisterBorrower:
    """The `n`th demo borrower; every fourth is a business."""
    region, area = rng.choice(list(REGIONS.items()))
    business = n % 4 == 3
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if n % 2 else "")
    income = Decimal(rng.randrange(2_000, 30_000, 100))
    profile = Profile(
        name=f"{region}{name}{rng.choice(TRADES)}" if business else name,
        phone=mobile(rng),
        address=f"{region}省 {rng.randint(1, 300)}号",
        region=region,
        monthly_income=income,
        assets=income * rng.randint(3, 40),
        liabilities=income * rng.randint(0, 10),
        annual_sales=income * 12 * rng.randint(3, 8) if business else None,
        margin_percent=Decimal(rng.randint(8, 35)) if business else None,
    )
    kind = BorrowerKind.BUSINESS if business else BorrowerKind.INDIVIDUAL
    number = credit_code(rng, area) if business else resident_id(rng, area)
    return RegisterBorrower(rng.choice(OFFICERS), kind, number, profile)
