"""The appeals on top of the hand-made city (tests/world.py): the law's term policies, the general
department's clerk, a citizen with a name and a postal address."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import APPEAL_CLERKS_GROUP
from appeals.models import AppealKind, AppealPolicy
from tests.factories import UserFactory
from tests.world import World

LAW_393 = "Закон України «Про звернення громадян» № 393/96-ВР, ст. 7, 20"
LAW_2939 = "Закон України «Про доступ до публічної інформації» № 2939-VI, ст. 20–22"


@dataclass
class AppealsCity:
    world: World
    clerk: User
    author: User
    policies: dict[str, AppealPolicy]


def install_law_policies(calendar) -> dict[str, AppealPolicy]:
    """The terms of Law 393/96-ВР (the three kinds of appeal) and Law 2939-VI (requests)."""
    policies = {}
    for kind in (AppealKind.PROPOSAL, AppealKind.APPLICATION, AppealKind.COMPLAINT):
        policies[kind] = AppealPolicy.objects.create(
            kind=kind,
            name_uk=str(kind.label),
            name_en=str(kind.label),
            unit="calendar_days",
            standard_term=30,
            short_term=15,
            longest_term=45,
            forward_term=5,
            forward_unit="calendar_days",
            warn_hours=72,
            calendar=calendar,
            law_reference=LAW_393,
        )
    policies[AppealKind.INFORMATION_REQUEST] = AppealPolicy.objects.create(
        kind=AppealKind.INFORMATION_REQUEST,
        name_uk="Запит на інформацію",
        name_en="Information request",
        unit="working_days",
        standard_term=5,
        urgent_hours=48,
        longest_term=20,
        extension_notice_term=5,
        forward_term=5,
        forward_unit="working_days",
        warn_hours=24,
        calendar=calendar,
        law_reference=LAW_2939,
    )
    return policies


def build_appeals_city(world: World) -> AppealsCity:
    clerk = UserFactory(username="clerk", first_name="Оксана", last_name="Діловод", language="uk")
    clerk.groups.add(Group.objects.get_or_create(name=APPEAL_CLERKS_GROUP)[0])
    author = UserFactory(username="author", first_name="Тарас", last_name="Шевчук", language="uk")
    return AppealsCity(world=world, clerk=clerk, author=author, policies=install_law_policies(world.calendar))


@pytest.fixture
def appeals_city(world) -> AppealsCity:
    return build_appeals_city(world)
