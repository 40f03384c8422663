"""Two-factor sign-in (TOTP) for administrators and dispatchers, required by OPENCITY_REQUIRE_2FA."""

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import AccessToken
from accounts.two_factor import totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


def code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def unthrottle(device):
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def required(settings):
    settings.OPENCITY_REQUIRE_2FA = True


def test_off_nobody_is_asked_for_a_code(world, settings):
    settings.OPENCITY_REQUIRE_2FA = False
    assert signed_in(world.dispatcher).get("/dispatch/").status_code == 200


def test_a_dispatcher_enrols_then_reaches_the_desk(world, required):
    client = signed_in(world.dispatcher)
    first = client.get("/dispatch/")
    assert (first.status_code, first["Location"]) == (302, "/accounts/2fa/setup/?next=%2Fdispatch%2F")
    page = client.get(first["Location"])
    device = totp_device(user=world.dispatcher, confirmed=False)
    assert "<svg" in page.content.decode()
    assert page.context["secret"].replace(" ", "") in page.content.decode().replace(" ", "")
    wrong = client.post(first["Location"], {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=world.dispatcher, confirmed=True).exists()
    unthrottle(device)  # django-otp slows down the next try after a wrong code
    done = client.post(first["Location"], {"token": code(device), "next": "/dispatch/"})
    assert (done.status_code, done["Location"]) == (302, "/dispatch/")
    assert client.get("/dispatch/").status_code == 200
    # The next sign-in asks for a code from the same app.
    again = signed_in(world.dispatcher)
    ask = again.get("/dispatch/")
    assert ask["Location"] == "/accounts/2fa/verify/?next=%2Fdispatch%2F"
    device.refresh_from_db()
    assert again.post(ask["Location"], {"token": "12345x", "next": "/dispatch/"}).status_code == 400
    unthrottle(device)
    assert again.post(ask["Location"], {"token": code(device, offset=30), "next": "/dispatch/"}).status_code == 302
    assert again.get("/dispatch/").status_code == 200


def test_the_admin_requires_a_code(world, required):
    world.dispatcher.groups.clear()
    world.dispatcher.is_staff = world.dispatcher.is_superuser = True
    world.dispatcher.save()
    response = signed_in(world.dispatcher).get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/setup/?next=%2Fadmin%2F")


def test_citizens_and_executors_are_not_asked(world, required):
    assert signed_in(world.citizen).get("/me/").status_code == 200
    assert signed_in(world.roads_staff).get("/queue/").status_code == 200


def test_the_token_endpoint_asks_staff_for_a_code(world, required):
    world.dispatcher.set_password(PASSWORD)
    world.dispatcher.save()
    device = TOTPDevice.objects.create(user=world.dispatcher, name="Open City", confirmed=True)
    body = {"username": "dispatcher", "password": PASSWORD}
    refused = APIClient().post("/api/v1/auth/token/", body)
    assert (refused.status_code, refused.json()["code"]) == (400, "two_factor_required")
    assert AccessToken.objects.count() == 0
    ok = APIClient().post("/api/v1/auth/token/", {**body, "otp_token": code(device)})
    assert ok.status_code == 200
    assert list(ok.json()) == ["token"]


def test_an_unverified_session_gets_no_staff_api(world, required):
    client = signed_in(world.dispatcher)
    response = client.get("/api/v1/queue/")
    assert (response.status_code, response.json()["code"]) == (403, "two_factor_required")
