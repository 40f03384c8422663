"""Roles end with the organisation: staff of a deactivated executor act for no one."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from accounts.roles import user_executor
from issues.services import TransitionInput, issue_transition
from opencity.errors import Forbidden
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db


def test_staff_of_an_active_executor_act_for_it(world):
    assert user_executor(world.roads_staff) == world.roads
    assert user_executor(AnonymousUser()) is None
    assert user_executor(world.citizen) is None


def test_staff_of_a_deactivated_executor_lose_their_rights(world, report):
    issue = report()
    world.roads.is_active = False
    world.roads.save(update_fields=["is_active"])
    staff = type(world.roads_staff).objects.get(pk=world.roads_staff.pk)  # fresh, as on the next request
    assert user_executor(staff) is None
    events_before = issue.events.count()
    with pytest.raises(Forbidden):
        issue_transition(issue=issue, actor=staff, action="accept", data=TransitionInput(), now=TUESDAY_10)
    issue.refresh_from_db()
    assert (issue.status, issue.events.count()) == ("assigned", events_before)
    client = Client()
    client.force_login(staff)
    assert client.get("/queue/").status_code == 403


def test_a_deactivated_account_acts_for_no_one(world):
    world.roads_staff.is_active = False
    assert user_executor(world.roads_staff) is None
