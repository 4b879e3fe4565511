"""The bounded REST form of a product's notification policy (domain/notifications.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from domain.notifications import Channel, NotificationPolicy, Stage, StageRule, Template
from interfaces.rest.common import Code, Command, Note, OptionalText

Language = Literal["zh", "en"]


class StageBody(Command):
    stage: Stage
    channel: Channel
    template: Code
    marketing: bool = False


class TemplateBody(Command):
    id: Code
    language: Language
    body: Note
    subject: OptionalText = ""


def _default_stages() -> list[StageBody]:
    return [StageBody(**rule.model_dump()) for rule in NotificationPolicy().stages]


class NotificationsBody(Command):
    """Each stage's channel and template, and the product's own templates; unsent: the
    default policy."""

    stages: Annotated[list[StageBody], Field(max_length=len(Stage))] = Field(
        default_factory=_default_stages
    )
    language: Language = "zh"
    templates: Annotated[list[TemplateBody], Field(max_length=4 * len(Stage))] = Field(
        default_factory=list
    )

    def policy(self) -> NotificationPolicy:
        return NotificationPolicy(
            stages=tuple(StageRule(**s.model_dump()) for s in self.stages),
            language=self.language,
            templates=tuple(Template(**t.model_dump()) for t in self.templates),
        )
