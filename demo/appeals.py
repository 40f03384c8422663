"""Demo appeals and information requests: a few weeks of the general department's work, written
through the real services (numbers, terms, events exactly as production would make them)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from accounts.models import Executor, ExecutorMembership, User
from appeals.models import Appeal, AppealKind
from appeals.rules.transitions import AppealAction
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from issues.notifications import notifications_suppressed

DEMO_APPEAL_SEED = 393

# (kind, subject, text, unit, what happens next)
DEMO_APPEALS: list[tuple[str, str, str, str, str]] = [
    (
        AppealKind.COMPLAINT,
        "Не вивозять сміття з двору",
        "Третій тиждень не вивозять сміття з контейнерного майданчика у дворі будинку. Прошу вжити заходів.",
        "waste",
        "answer",
    ),
    (
        AppealKind.PROPOSAL,
        "Пішохідний перехід біля школи № 4",
        "Пропоную облаштувати регульований пішохідний перехід біля школи № 4: діти щодня переходять жваву вулицю.",
        "roads",
        "extend",
    ),
    (
        AppealKind.APPLICATION,
        "Обрізування аварійного дерева",
        "Прошу обстежити і обрізати аварійну липу біля будинку: гілки нависають над дахом.",
        "parks",
        "assigned",
    ),
    (
        AppealKind.COMPLAINT,
        "Холодні батареї в під'їзді",
        "У під'їзді будинку батареї ледь теплі з початку опалювального сезону.",
        "heating",
        "answer",
    ),
    (
        AppealKind.APPLICATION,
        "Пандус до поліклініки",
        "Прошу облаштувати пандус до входу в міську поліклініку: людям на візках не піднятися.",
        "housing",
        "registered",
    ),
    (
        AppealKind.COMPLAINT,
        "Тарифи на газ",
        "Прошу пояснити, чому зросла плата за розподіл газу.",
        "",
        "forward",
    ),
    (
        AppealKind.INFORMATION_REQUEST,
        "Кошторис ремонту вулиці Стрийської",
        "Прошу надати копію кошторису і акти виконаних робіт з ремонту вулиці Стрийської у 2026 році.",
        "roads",
        "answer",
    ),
    (
        AppealKind.INFORMATION_REQUEST,
        "Графік вивезення побутових відходів",
        "Прошу надати чинний графік вивезення побутових відходів по вулицях міста.",
        "waste",
        "assigned",
    ),
    (
        AppealKind.INFORMATION_REQUEST,
        "Договори на вуличне освітлення",
        "Прошу надати копії всіх договорів на обслуговування вуличного освітлення за 2024–2026 роки.",
        "lighting",
        "extend",
    ),
    (
        AppealKind.INFORMATION_REQUEST,
        "Результати аналізу питної води",
        "Прошу терміново надати результати лабораторного аналізу питної води після аварії на водогоні.",
        "water",
        "urgent",
    ),
]

ANSWERS = {
    AppealKind.INFORMATION_REQUEST: ("provided", "Надсилаємо запитувані документи у додатку."),
    AppealKind.COMPLAINT: ("supported", "Скаргу розглянуто, порушення усунуто, графік відновлено."),
}


def demo_appeals_load(*, now: datetime.datetime | None = None, seed: int = DEMO_APPEAL_SEED) -> int:
    """Register the demo appeals with the demo citizen as author, the clerk routing them and the
    units answering, extending or still working, over the last weeks. Runs only when there are no
    appeals yet; nobody is e-mailed."""
    if Appeal.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data, not security)
    author = User.objects.filter(username="citizen").first()
    clerk = User.objects.filter(username="clerk").first()
    if author is None or clerk is None:
        return 0
    units = {e.code: e for e in Executor.objects.all()}
    staff = {m.executor_id: m.user for m in ExecutorMembership.objects.select_related("user")}
    created = 0
    with notifications_suppressed():
        for kind, subject, text, unit_code, fate in DEMO_APPEALS:
            days_ago = 1.5 if fate in ("registered", "urgent") else rng.uniform(4, 20)
            received = now - datetime.timedelta(days=days_ago)
            appeal = appeal_submit(
                author=author,
                data=AppealInput(
                    kind=kind,
                    subject=subject,
                    text=text,
                    postal_address="м. Дрогобич, вул. Лесі Українки, 14, кв. 3",
                    urgent=fate == "urgent",
                    urgent_reason="Аварія на водогоні: чи безпечна вода?" if fate == "urgent" else "",
                ),
                now=received,
            )
            created += 1
            moment = received + datetime.timedelta(hours=rng.uniform(2, 20))
            if fate == "registered" or moment >= now:
                continue
            if fate == "forward":
                appeal_transition(
                    appeal=appeal,
                    actor=clerk,
                    action=AppealAction.FORWARD,
                    data=AppealTransitionInput(
                        forwarded_to="Національна комісія, що здійснює державне регулювання у сферах енергетики "
                        "та комунальних послуг",
                        note="Питання тарифів належить до повноважень НКРЕКП.",
                    ),
                    now=moment,
                )
                continue
            unit = units.get(unit_code)
            if unit is None:
                continue
            appeal = appeal_transition(
                appeal=appeal,
                actor=clerk,
                action=AppealAction.ROUTE,
                data=AppealTransitionInput(unit=unit),
                now=moment,
            )
            worker = staff.get(unit.pk)
            moment += datetime.timedelta(hours=rng.uniform(20, 60))
            if worker is None or moment >= now or fate in ("assigned", "urgent"):
                continue
            if fate == "extend":
                appeal_transition(
                    appeal=appeal,
                    actor=worker,
                    action=AppealAction.EXTEND,
                    data=AppealTransitionInput(note="Потрібно зібрати документи за кілька років."),
                    now=moment,
                )
            elif fate == "answer":
                outcome, answer = ANSWERS.get(kind, ("explained", "Надаємо роз'яснення."))
                appeal_transition(
                    appeal=appeal,
                    actor=worker,
                    action=AppealAction.ANSWER,
                    data=AppealTransitionInput(answer=answer, outcome=outcome),
                    now=moment,
                )
    return created
