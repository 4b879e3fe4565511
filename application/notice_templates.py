"""The wording of reminders and notices: built-in templates in Chinese and English, a
product's own (its NotificationPolicy.templates), and how they are checked and rendered.

Templates are Jinja2. They may use only VARIABLES; a template naming any other is
refused when the product is defined or revised (InvalidValue, so 422), never when a
notice is sent. Email bodies render with autoescape on (a name such as `<b>` stays
text); SMS and in-app text render plain.

The borrower's login code SMS (`login_code`, variables LOGIN_CODE_VARIABLES) is one
too: built in in both languages, overridden by the templates of the store's code policy
(LENDING_BORROWER_CODES `language` and `templates`, shaped as a product's
`notifications`), which are checked when the settings are read.
"""

# The built-in wording is one line per template, in Chinese punctuation.
# ruff: noqa: E501, RUF001
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, meta
from jinja2 import Template as JinjaTemplate

from domain.errors import InvalidValue
from domain.login_codes import CodePolicy
from domain.notifications import NotificationPolicy, Template

VARIABLES = frozenset({"name", "amount_due", "due_date", "payoff", "account"})
LOGIN_CODE = "login_code"
LOGIN_CODE_VARIABLES = frozenset({"code", "minutes"})

_ZH = {
    "before_due": ("还款提醒", "{{ name }}您好，您尾号{{ account }}的贷款将于{{ due_date }}到期，应还{{ amount_due }}元。"),
    "due": ("今日还款", "{{ name }}您好，您尾号{{ account }}的贷款今日({{ due_date }})到期，应还{{ amount_due }}元。"),
    "overdue_1": ("逾期提醒", "{{ name }}您好，您尾号{{ account }}的贷款已于{{ due_date }}逾期，请尽快还款{{ amount_due }}元。"),
    "overdue_7": ("逾期7天", "{{ name }}您好，您尾号{{ account }}的贷款已逾期7天，欠款{{ amount_due }}元。"),
    "overdue_30": ("逾期30天", "{{ name }}您好，您尾号{{ account }}的贷款已逾期30天，欠款{{ amount_due }}元，结清金额{{ payoff }}元。"),
    "disbursed": ("放款通知", "{{ name }}您好，您尾号{{ account }}的贷款已放款，首期{{ due_date }}应还{{ amount_due }}元。"),
    "payment_received": ("还款成功", "{{ name }}您好，已收到您的还款{{ amount_due }}元，结清金额{{ payoff }}元。"),
    "risk_warning": ("风险预警", "{{ name }}：尾号{{ account }}的贷款出现高级别风险预警，请及时处理。"),
    "promise_broken": ("承诺未兑现", "{{ name }}您好，您承诺的还款未到账，请尽快还款{{ amount_due }}元。"),
}  # fmt: skip
_EN = {
    "before_due": ("Payment reminder", "Dear {{ name }}, {{ amount_due }} on loan {{ account }} is due on {{ due_date }}."),
    "due": ("Payment due today", "Dear {{ name }}, {{ amount_due }} on loan {{ account }} is due today ({{ due_date }})."),
    "overdue_1": ("Payment overdue", "Dear {{ name }}, {{ amount_due }} on loan {{ account }} was due on {{ due_date }}."),
    "overdue_7": ("7 days overdue", "Dear {{ name }}, loan {{ account }} is 7 days overdue: {{ amount_due }}."),
    "overdue_30": ("30 days overdue", "Dear {{ name }}, loan {{ account }} is 30 days overdue: {{ amount_due }}; payoff {{ payoff }}."),
    "disbursed": ("Loan disbursed", "Dear {{ name }}, loan {{ account }} is paid out; {{ amount_due }} is first due on {{ due_date }}."),
    "payment_received": ("Payment received", "Dear {{ name }}, we received {{ amount_due }}; payoff now {{ payoff }}."),
    "risk_warning": ("Risk warning", "{{ name }}: loan {{ account }} has a high or critical risk warning to review."),
    "promise_broken": ("Promise to pay missed", "Dear {{ name }}, the payment you promised has not arrived: {{ amount_due }}."),
}  # fmt: skip
LOGIN_CODE_BUILT_IN = {
    language: Template(id=LOGIN_CODE, language=language, body=body)
    for language, body in (
        ("zh", "您的登录验证码为{{ code }}，{{ minutes }}分钟内有效，请勿泄露给他人。"),
        ("en", "Your login code is {{ code }}. It holds for {{ minutes }} minutes: tell it to no one."),
    )
}  # fmt: skip
BUILT_IN: dict[tuple[str, str], Template] = {
    (id_, language): Template(id=id_, language=language, subject=subject, body=body)
    for language, table in (("zh", _ZH), ("en", _EN))
    for id_, (subject, body) in table.items()
}

_PLAIN = Environment(autoescape=False, undefined=StrictUndefined)
_ESCAPED = Environment(autoescape=True, undefined=StrictUndefined)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def check_template_text(text: str, field: str, allowed: frozenset[str] = VARIABLES) -> None:
    """InvalidValue naming `field` if `text` is not Jinja2 or uses an unknown variable."""
    try:
        parsed = _PLAIN.parse(text)
    except TemplateSyntaxError as error:
        raise InvalidValue(field, f"is not a valid template: {error.message}") from None
    unknown = sorted(meta.find_undeclared_variables(parsed) - allowed)
    if unknown:
        raise InvalidValue(
            field, f"uses unknown variables {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(allowed))}",
        )  # fmt: skip


def check_code_policy(policy: CodePolicy, field: str = "borrower_codes") -> None:
    """Refuse a code policy whose templates are not `login_code` ones or use variables
    other than LOGIN_CODE_VARIABLES (InvalidValue naming the template's field)."""
    for index, template in enumerate(policy.templates):
        place = f"{field}.templates[{index}]"
        if template.id != LOGIN_CODE:
            raise InvalidValue(f"{place}.id", f"must be {LOGIN_CODE}")
        check_template_text(template.body, f"{place}.body", LOGIN_CODE_VARIABLES)


def render_login_code(policy: CodePolicy, variables: dict[str, str]) -> str:
    """The login code SMS's text: the policy's own template in its language, else the
    built-in one."""
    own = next((t for t in policy.templates if t.language == policy.language), None)
    template = own or LOGIN_CODE_BUILT_IN[policy.language]
    values = {name: variables.get(name, "") for name in LOGIN_CODE_VARIABLES}
    return _compiled(template.body, False).render(values)


def check_policy(policy: NotificationPolicy) -> None:
    """Refuse a policy whose own templates use unknown variables, or whose stages name a
    template that exists neither on the product nor built in."""
    for index, template in enumerate(policy.templates):
        check_template_text(template.body, f"notifications.templates[{index}].body")
        check_template_text(template.subject, f"notifications.templates[{index}].subject")
    for rule in policy.stages:
        if find_template(policy, rule.template, policy.language) is None:
            raise InvalidValue("notifications.stages", f"no template {rule.template!r}")


@lru_cache(maxsize=256)
def uses(template: Template) -> frozenset[str]:
    """The variables `template` uses."""
    return frozenset(
        name
        for text in (template.subject, template.body)
        for name in meta.find_undeclared_variables(_PLAIN.parse(text))
    )


def find_template(policy: NotificationPolicy, id_: str, language: str) -> Template | None:
    return policy.template(id_, language) or BUILT_IN.get((id_, language))


def render(template: Template, variables: dict[str, Any], email: bool) -> Rendered:
    """The notice's text; an email's with autoescape (HTML-safe values)."""
    values = {name: variables.get(name, "") for name in VARIABLES}
    subject = _compiled(template.subject, False).render(values)
    return Rendered(subject, _compiled(template.body, email).render(values))


@lru_cache(maxsize=256)
def _compiled(text: str, escaped: bool) -> JinjaTemplate:
    """A template's text compiled once (compiling costs far more than rendering)."""
    return (_ESCAPED if escaped else _PLAIN).from_string(text)
