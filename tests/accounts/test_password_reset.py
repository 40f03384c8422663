"""Password reset by e-mail: linked from the sign-in page, silent about which addresses have
accounts, limited per address, and the new password kills the old API tokens."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.access_tokens import access_token_authenticate, access_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()


def ask(email, client=None):
    return (client or Client()).post("/accounts/password/reset/", {"email": email})


def test_the_sign_in_page_links_to_the_reset(world):
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/reset/"' in page
    assert "Забули пароль?" in page


def test_a_reset_link_sets_a_new_password(world, settings):
    settings.OPENCITY_SITE_URL = "https://opencity.example.gov.ua"
    world.citizen.email = "citizen@example.org"
    world.citizen.save()
    _token, raw_api_token = access_token_issue(user=world.citizen)
    response = ask("Citizen@Example.org")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/reset/sent/")
    [message] = mail.outbox
    assert message.to == ["citizen@example.org"]
    assert message.subject == "Новий пароль для «Відкритого міста»"
    link = re.search(r"https://opencity\.example\.gov\.ua(/accounts/password/reset/\S+/)", message.body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "nova-vulytsia-42", "new_password2": "nova-vulytsia-42"},
    )
    assert (done.status_code, done["Location"]) == (302, "/accounts/password/reset/complete/")
    world.citizen.refresh_from_db()
    assert world.citizen.check_password("nova-vulytsia-42")
    assert access_token_authenticate(raw_token=raw_api_token) is None
    # The link works once.
    assert not Client().get(link, follow=True).context["validlink"]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(world):
    known, unknown = ask(world.citizen.email or "citizen@example.org"), ask("nobody@example.org")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert all(message.to != ["nobody@example.org"] for message in mail.outbox)


def test_resets_per_address_are_limited(world):
    world.citizen.email = "citizen@example.org"
    world.citizen.save()
    statuses = [ask("citizen@example.org").status_code for _ in range(5)]
    assert statuses == [302] * 5  # the same answer every time…
    assert len(mail.outbox) == 3  # …but only three e-mails an hour
