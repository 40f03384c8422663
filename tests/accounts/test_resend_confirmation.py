"""Sending the confirmation link again: a few times an hour, never to a confirmed address."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from accounts.services import CONFIRMATION_RESENDS_PER_HOUR, user_resend_confirmation
from accounts.views import resend_confirmation
from opencity.errors import RateLimited
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unconfirmed(world):
    return UserFactory(username="unconfirmed", email_confirmed_at=None)


def test_the_link_is_sent_again_a_few_times_an_hour_then_refused(unconfirmed):
    for _ in range(CONFIRMATION_RESENDS_PER_HOUR):
        assert user_resend_confirmation(user=unconfirmed) is True
    assert [message.to for message in mail.outbox] == [[unconfirmed.email]] * CONFIRMATION_RESENDS_PER_HOUR
    with pytest.raises(RateLimited) as refused:
        user_resend_confirmation(user=unconfirmed)
    assert (refused.value.code, refused.value.status) == ("rate_limited", 429)
    assert len(mail.outbox) == CONFIRMATION_RESENDS_PER_HOUR  # nothing more was sent


def test_a_confirmed_address_gets_nothing_and_uses_no_allowance(world):
    for _ in range(CONFIRMATION_RESENDS_PER_HOUR + 1):
        assert user_resend_confirmation(user=world.citizen) is False
    assert mail.outbox == []


def post_resend(user) -> tuple[int, str, list[tuple[str, str]]]:
    """Call the view directly, to read the messages it leaves."""
    request = RequestFactory().post("/", {"next": "/me/"})
    request.user = user
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    with translation.override("en"):
        response = resend_confirmation(request)
        said = [(message.level_tag, str(message)) for message in get_messages(request)]
    return response.status_code, response["Location"], said


def test_the_view_says_sent_then_says_enough(unconfirmed):
    for _ in range(CONFIRMATION_RESENDS_PER_HOUR):
        assert post_resend(unconfirmed) == (
            302,
            "/me/",
            [("success", "We have sent the confirmation link again to unconfirmed@example.org.")],
        )
    assert post_resend(unconfirmed) == (
        302,
        "/me/",
        [("error", "We have already sent several links. Please check your mailbox and spam folder.")],
    )
    assert len(mail.outbox) == CONFIRMATION_RESENDS_PER_HOUR


def test_the_view_says_nothing_to_a_confirmed_person(world):
    assert post_resend(world.citizen) == (302, "/me/", [])
    assert mail.outbox == []


def test_the_resend_address_reaches_the_resend_view(unconfirmed):
    assert resolve(reverse("accounts:resend-confirmation")).func is resend_confirmation
    client = Client()
    client.force_login(unconfirmed)
    assert client.post(reverse("accounts:resend-confirmation"), {"next": "/me/"}).status_code == 302
