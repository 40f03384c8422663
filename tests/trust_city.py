"""The city the trust tests (permission matrix, privacy scan) run against, built once per module.

On top of tests/world.py: every actor of the permission matrix, an issue of the roads executor
reported by `citizen`, a hidden issue with a photo, an Open311 submission with contact details, a
water outage, a budget project, a duty contact, an API key, and the owner's appeal (with the roads
unit) and information request (at the general department's desk). The people carry distinctive
personal data, so the privacy scan can look for it in every public output.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import override_settings

from accounts.access_tokens import access_token_issue
from accounts.api_keys import api_key_issue
from accounts.models import ApiKey, Executor, User
from accounts.roles import APPEAL_CLERKS_GROUP
from alerts.models import Alert, AlertKind
from appeals.models import Appeal, AppealKind
from appeals.rules.transitions import AppealAction
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from geo.models import BudgetProject, DutyContact, Outage, OutageKindGrant
from issues.models import Issue
from issues.services import issue_create
from issues.services.media import media_intake_many
from issues.services.moderation import issue_set_hidden
from issues.services.support import issue_support
from media_store.models import MediaAsset
from media_store.processing import media_process
from open311.models import Open311Submission
from open311.services import open311_request_create
from tests.appeals.city import install_law_policies
from tests.factories import (
    BudgetProjectFactory,
    DutyContactFactory,
    ExecutorFactory,
    OutageFactory,
    StaffFactory,
    UserFactory,
    square,
)
from tests.gazetteer import gazetteer_make
from tests.media_store.media import image_bytes, upload
from tests.world import World, build_world

# Personal data no public output may ever show.
OWNER_NAME = ("Zoryana", "Privatna")
OWNER_EMAIL = "zoryana.secret@example.net"
OWNER_PHONE = "+380671112233"
UNCONFIRMED_NAME = ("Yaroslava", "Nepidtverdzhena")
UNCONFIRMED_EMAIL = "yaroslava.unconfirmed@example.net"
UNCONFIRMED_PHONE = "+380501239876"
OPEN311_NAME = ("Bohdana", "Kontaktna")
OPEN311_EMAIL = "bohdana.open311@example.net"
OPEN311_PHONE = "+380931234567"
OPEN311_DEVICE = "device-ZX81-secret"
OPEN311_ACCOUNT = "account-QW42-secret"
OTHER_EMAIL = "ostap.neighbour@example.net"
# What an appeal and an information request say, and where their author lives: never public, and
# not for another citizen or another unit's staff.
APPEAL_SUBJECT = "Skarha na shum: Sichovykh Striltsiv 21"
APPEAL_TEXT = "Pryvatnyi tekst zvernennia: susid z kv. 12 hude shchonochi"
APPEAL_ADDRESS = "vul. Sichovykh Striltsiv, 21, kv. 9, Drohobych, 82100"
REQUEST_SUBJECT = "Zapyt: koshtorys remontu Stryiskoi"
REQUEST_TEXT = "Prosymo nadaty koshtorys i akty vykonanykh robit, zapyt 7731"
# What a hidden issue says: it must not be reachable by the public either.
HIDDEN_TEXT = "Prykhovanyi opys: Shevchenka 13, kv. 7, kod dveri 4477"

PERSONAL = (
    *OWNER_NAME,
    OWNER_EMAIL,
    OWNER_PHONE,
    "380671112233",
    *UNCONFIRMED_NAME,
    UNCONFIRMED_EMAIL,
    UNCONFIRMED_PHONE,
    *OPEN311_NAME,
    OPEN311_EMAIL,
    OPEN311_PHONE,
    "380931234567",
    OPEN311_DEVICE,
    OPEN311_ACCOUNT,
    OTHER_EMAIL,
    APPEAL_SUBJECT,
    APPEAL_TEXT,
    APPEAL_ADDRESS,
    REQUEST_SUBJECT,
    REQUEST_TEXT,
)


@dataclass
class TrustCity:
    world: World
    actors: dict[str, User | None]
    issue: Issue  # of the roads executor, reported by `citizen`
    hidden: Issue  # reported by `citizen`, supported by `other`, hidden by the dispatcher, with a photo
    open311_issue: Issue
    submission: Open311Submission
    photo: MediaAsset  # on `issue`
    hidden_photo: MediaAsset  # on `hidden`
    hidden_photo_urls: list[str]  # its storage URLs as they were before it was hidden
    outage: Outage  # of the water utility
    project: BudgetProject
    contact: DutyContact
    api_key: ApiKey
    raw_api_key: str
    inactive_executor: Executor
    alert: Alert | None = None  # the owner's area alert over both of their issues (the hidden one too)
    appeal: Appeal | None = None  # the owner's complaint, routed by the dispatcher (a clerk) to the roads unit
    request: Appeal | None = None  # the owner's information request, registered, not yet routed
    extra: dict = field(default_factory=dict)


def _photo(user: User, size: tuple[int, int]) -> MediaAsset:
    [asset] = media_intake_many(files=[upload(image_bytes("PNG", size), "p.png", "image/png")], uploaded_by=user)[0]
    media_process(public_id=asset.public_id)
    asset.refresh_from_db()
    return asset


def build_trust_city() -> TrustCity:
    world = build_world()
    for user, (first, last), email, phone in ((world.citizen, OWNER_NAME, OWNER_EMAIL, OWNER_PHONE),):
        user.first_name, user.last_name, user.email, user.phone = first, last, email, phone
        user.save()
    world.other_citizen.email = OTHER_EMAIL
    world.other_citizen.save()
    unconfirmed = UserFactory(
        username="unconfirmed",
        first_name=UNCONFIRMED_NAME[0],
        last_name=UNCONFIRMED_NAME[1],
        email=UNCONFIRMED_EMAIL,
        phone=UNCONFIRMED_PHONE,
        email_confirmed_at=None,
    )
    inactive_executor = ExecutorFactory(code="lighting", name_uk="Міськсвітло", name_en="City lights", is_active=False)
    inactive_staff = StaffFactory(username="lighting-staff", executor=inactive_executor)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    # A member of the admin who may only look: the admin must hold back everything else from them.
    viewer = UserFactory(username="admin-viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))

    photo = _photo(world.citizen, (48, 32))
    hidden_photo = _photo(world.citizen, (52, 36))
    issue = issue_create(
        reporter=world.citizen,
        category=world.pothole,
        description="Глибока яма посеред дороги",
        point=world.inside_west,
        address="вул. Стрийська, 10",
        media=[photo],
    ).issue
    hidden = issue_create(
        reporter=world.citizen,
        category=world.pothole,
        description=HIDDEN_TEXT,
        point=world.inside_east,
        address="вул. Шевченка, 13",
        media=[hidden_photo],
    ).issue
    hidden_photo.refresh_from_db()
    hidden_photo_urls = [
        url for url in (hidden_photo.original_url, hidden_photo.display_url, hidden_photo.thumbnail_url) if url
    ]
    # Another citizen said "me too" before the dispatcher hid it: they follow a hidden issue.
    issue_support(issue=hidden, user=world.other_citizen)
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="Особисті дані в описі")
    hidden.refresh_from_db()

    integrator = UserFactory(username="integrator", first_name="Civic", last_name="App")
    api_key, raw_api_key = api_key_issue(user=integrator, name="Civic App", created_by=admin)
    access_token_issue(user=integrator)  # a REST API token, for the admin's token pages
    open311_issue = open311_request_create(
        api_key=api_key,
        category=world.pothole,
        point=world.inside_west,
        description="Яма біля зупинки",
        address="вул. Грушевського, 3",
        attributes={},
        contact={
            "email": OPEN311_EMAIL,
            "first_name": OPEN311_NAME[0],
            "last_name": OPEN311_NAME[1],
            "phone": OPEN311_PHONE,
            "device_id": OPEN311_DEVICE,
            "account_id": OPEN311_ACCOUNT,
        },
        media=[],
    ).issue
    submission = Open311Submission.objects.get(issue=open311_issue)

    OutageKindGrant.objects.create(executor=world.water, kind="water")  # the utility supplies water
    outage = OutageFactory(provider=world.water, published_by=world.water_staff)
    # The gazetteer: a street with one address (the admin's pages open on them).
    gazetteer_make()
    project = BudgetProjectFactory(code="2026-roads-trust", executor=world.roads)
    contact = DutyContactFactory(code="water-duty", phones=["+380324411111"])
    alert = Alert.objects.create(
        user=world.citizen, kind=AlertKind.AREA, name="Біля дому", area=square(half=0.02), status_changes=True
    )

    # The dispatcher also keeps the general department's desk (the appeal clerks' group).
    world.dispatcher.groups.add(Group.objects.get_or_create(name=APPEAL_CLERKS_GROUP)[0])
    world.dispatcher._opencity_groups = None  # the roles' cache of group names is stale now
    install_law_policies(world.calendar)
    appeal = appeal_submit(
        author=world.citizen,
        data=AppealInput(
            kind=AppealKind.COMPLAINT, subject=APPEAL_SUBJECT, text=APPEAL_TEXT, postal_address=APPEAL_ADDRESS
        ),
        media=(_photo(world.citizen, (44, 30)),),  # each has a file: its download is in the matrix and the scan
    )
    appeal = appeal_transition(
        appeal=appeal, actor=world.dispatcher, action=AppealAction.ROUTE, data=AppealTransitionInput(unit=world.roads)
    )
    request = appeal_submit(
        author=world.citizen,
        data=AppealInput(kind=AppealKind.INFORMATION_REQUEST, subject=REQUEST_SUBJECT, text=REQUEST_TEXT),
        media=(_photo(world.citizen, (46, 30)),),
    )

    actors: dict[str, User | None] = {
        "anonymous": None,
        "owner": world.citizen,
        "other": world.other_citizen,
        "unconfirmed": unconfirmed,
        "exec_this": world.roads_staff,
        "exec_other": world.water_staff,
        "exec_off": inactive_staff,
        "dispatcher": world.dispatcher,
        "leadership": world.mayor,
        "admin": admin,
        "admin_viewer": viewer,
    }
    return TrustCity(
        world=world,
        actors=actors,
        issue=issue,
        hidden=hidden,
        open311_issue=open311_issue,
        submission=submission,
        photo=photo,
        hidden_photo=hidden_photo,
        hidden_photo_urls=hidden_photo_urls,
        outage=outage,
        project=project,
        contact=contact,
        api_key=api_key,
        raw_api_key=raw_api_key,
        inactive_executor=inactive_executor,
        alert=alert,
        appeal=appeal,
        request=request,
    )


@contextlib.contextmanager
def trust_city_once(django_db_blocker, media_root) -> TrustCity:
    """Build the city in a transaction that stays open for the whole module and is rolled back at
    its end; each test's own `db` transaction nests inside it as a savepoint."""
    with override_settings(MEDIA_ROOT=str(media_root)), django_db_blocker.unblock():
        outer = transaction.atomic()
        # The services open durable transactions; Django allows them inside a test case's own
        # atomic blocks only, and this one stands for TestCase.setUpTestData's.
        outer._from_testcase = True
        with outer:
            yield build_trust_city()
            transaction.set_rollback(True)


def module_city_fixture():
    """A module-scoped `city` fixture for a test module."""

    @pytest.fixture(scope="module")
    def city(django_db_setup, django_db_blocker, tmp_path_factory):  # noqa: ARG001
        with trust_city_once(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
            yield built

    return city
