"""Registration, e-mail confirmation (which releases held reports), and "my issues"."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.services import user_confirm_email
from accounts.tokens import email_confirmation_token
from issues.models import Issue
from issues.services import issue_create
from opencity.errors import InvalidInput

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def register(client, **overrides):
    data = {
        "email": "Olena@Example.org",
        "password": "zelena-vulytsia-7",
        "first_name": "Олена",
        "language": "uk",
        "next": "/?report=1",
    }
    return client.post("/accounts/register/", {**data, **overrides})


def test_registering_sends_a_confirmation_link(world, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = register(client)
    assert (response.status_code, response["Location"]) == (302, "/accounts/register/sent/?next=%2F%3Freport%3D1")
    user = User.objects.get(username="olena@example.org")
    assert (user.email, user.first_name, user.email_confirmed_at) == ("olena@example.org", "Олена", None)
    # Not signed in: an address that already had an account gets the very same answer.
    assert client.get("/me/").status_code == 302
    sent = client.get(response["Location"]).content.decode()
    assert 'href="/accounts/login/?next=/%3Freport%3D1"' in sent
    [message] = mail.outbox
    assert message.to == ["olena@example.org"]
    assert message.subject == "Підтвердьте адресу e-mail для «Відкритого міста»"
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/confirm/\S+/)", message.body).group(1)

    # A report made before confirming waits, unrouted.
    held = issue_create(reporter=user, category=world.pothole, description="Яма", point=world.inside_west).issue
    assert (held.status, held.executor) == ("new", None)
    response = client.get(link, follow=True)
    assert "Дякуємо, адресу підтверджено. Ваше 1 звернення передано далі." in response.content.decode()
    user.refresh_from_db()
    held.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert (held.status, held.executor) == ("assigned", world.roads)
    # The link works once more without effect (idempotent).
    assert Client().get(link).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"password": "12345678"}, "password"),
        ({"password": "short"}, "password"),
    ],
)
def test_bad_registrations_are_form_errors(world, overrides, field):
    response = register(Client(), **overrides)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not User.objects.filter(email__iexact="olena@example.org").exists()


def test_registration_does_not_tell_whether_an_address_has_an_account(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = register(Client())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = register(Client(), email="OLENA@example.org", password="another-password-9")
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert User.objects.filter(email__iexact="olena@example.org").count() == 1
    # The owner of the address is told instead, with the ways back in.
    [notice] = mail.outbox
    assert notice.to == ["olena@example.org"]
    assert notice.subject == "У вас уже є обліковий запис у «Відкритому місті»"
    assert "http://127.0.0.1:8000/accounts/password/reset/" in notice.body
    assert User.objects.get(email="olena@example.org").check_password("zelena-vulytsia-7")


def test_registering_someone_elses_address_does_not_spam_them(world, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            register(Client(REMOTE_ADDR=f"192.0.2.{n}"), email="olena@example.org").status_code for n in range(6)
        ]
    assert statuses == [302] * 6
    assert len(mail.outbox) == 3  # the confirmation and two notices; then nothing this hour
    assert {tuple(message.to) for message in mail.outbox} == {("olena@example.org",)}


def test_registrations_per_address_are_limited(world, settings):
    settings.OPENCITY_REGISTRATIONS_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    statuses = [register(Client(), email=f"person{n}@example.org").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert User.objects.filter(email__startswith="person").count() == 2


def test_forged_expired_and_stale_tokens_are_refused(world, monkeypatch):
    import time

    from django.core import signing

    user = User.objects.create_user("taras@example.org", email="taras@example.org", password="x-y-z-12345")
    token = email_confirmation_token(user=user)
    with pytest.raises(InvalidInput) as forged:
        user_confirm_email(token=token[:-2] + "xx")
    assert forged.value.code == "bad_token"
    # Four days later (the link is valid for three): the signature's own timestamp says so.
    later = time.time() + 4 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    with pytest.raises(InvalidInput) as expired:
        user_confirm_email(token=token)
    assert expired.value.code == "expired"
    monkeypatch.undo()
    user.email = "new@example.org"
    user.save()
    with pytest.raises(InvalidInput) as stale:
        user_confirm_email(token=token)
    assert stale.value.code == "bad_token"
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_my_issues_and_the_email_switch(world, report):
    mine = report()
    theirs = report(reporter=world.other_citizen)
    from issues.services.support import issue_support

    issue_support(issue=theirs, user=world.citizen)
    client = Client()
    client.force_login(world.citizen)
    html = client.get("/me/").content.decode()
    assert f'data-ref="{mine.ref}"' in html and f'data-ref="{theirs.ref}"' in html
    client.post(f"/me/notifications/{theirs.ref}/", {})
    assert not theirs.followers.get(user=world.citizen).notify
    client.post(f"/me/notifications/{theirs.ref}/", {"notify": "on"})
    assert theirs.followers.get(user=world.citizen).notify
    stranger = Client()
    stranger.force_login(world.mayor)
    stranger.post(f"/me/notifications/{theirs.ref}/", {})
    assert Issue.objects.count() == 2
    assert Client().get("/me/").status_code == 302
