"""The appeals in the admin: the law's terms edited by superusers and checked; appeals and their
events only read (the services write them), found by their registration number."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from appeals.models import Appeal, AppealEvent, AppealPolicy
from appeals.services import AppealInput, appeal_submit
from tests.factories import UserFactory
from tests.world import kyiv

pytestmark = pytest.mark.django_db

RECEIVED = kyiv(2027, 2, 10, 11, 0)


def _policy_form(policy: AppealPolicy, **changes) -> dict:
    values = {
        "name_uk": policy.name_uk,
        "name_en": policy.name_en,
        "law_reference": policy.law_reference,
        "calendar": str(policy.calendar_id),
        "unit": policy.unit,
        "standard_term": policy.standard_term,
        "short_term": policy.short_term or "",
        "urgent_hours": policy.urgent_hours or "",
        "longest_term": policy.longest_term or "",
        "extension_notice_term": policy.extension_notice_term or "",
        "forward_term": policy.forward_term,
        "forward_unit": policy.forward_unit,
        "roll_to_working_day": "on" if policy.roll_to_working_day else "",
        "warn_hours": policy.warn_hours,
    }
    return {**values, **changes}


def _terms(policy: AppealPolicy) -> tuple:
    policy.refresh_from_db()
    return (policy.standard_term, policy.short_term, policy.longest_term, policy.urgent_hours, policy.warn_hours)


def _complaint(city, subject="Не вивозять сміття") -> Appeal:
    return appeal_submit(
        author=city.author,
        data=AppealInput(kind="complaint", subject=subject, text="Приватний текст.", postal_address="вул. Шевченка, 5"),
        now=RECEIVED,
    )


def test_a_change_in_the_law_is_an_admin_edit_and_applies_to_new_appeals(appeals_city, admin_client):
    policy = appeals_city.policies["complaint"]
    earlier = _complaint(appeals_city)
    url = f"/admin/appeals/appealpolicy/{policy.pk}/change/"
    assert admin_client.get(url).status_code == 200
    answer = admin_client.post(url, _policy_form(policy, standard_term=20, warn_hours=48))
    assert answer.status_code == 302
    assert _terms(policy) == (20, 15, 45, None, 48)
    later = _complaint(appeals_city, subject="Знову сміття")
    assert later.due_at == kyiv(2027, 3, 2, 17, 0)  # 20 days from 10 February
    earlier.refresh_from_db()
    assert earlier.due_at == kyiv(2027, 3, 12, 17, 0)  # received under the old law: its 30 days stand


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"short_term": 30}, "short_term", "Скорочений строк має бути коротшим за звичайний."),
        ({"longest_term": 30}, "longest_term", "Найдовший загальний строк має бути довшим за звичайний."),
        ({"urgent_hours": 48}, "urgent_hours", "Строк 48 годин — лише для запитів на інформацію"),
        ({"extension_notice_term": 50}, "extension_notice_term", "Повідомлення має надійти в межах найдовшого строку."),
        ({"standard_term": 0}, "standard_term", "більше чи дорівнює 1"),
    ],
)
def test_terms_the_law_cannot_mean_are_refused_with_a_message(appeals_city, admin_client, changes, field, message):
    """In the admin's language (Ukrainian by default), on the field to correct; nothing saved."""
    policy = appeals_city.policies["complaint"]
    before = _terms(policy)
    answer = admin_client.post(f"/admin/appeals/appealpolicy/{policy.pk}/change/", _policy_form(policy, **changes))
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert _terms(policy) == before


def test_only_a_superuser_edits_the_terms(appeals_city, client):
    policy = appeals_city.policies["information_request"]
    clerk = UserFactory(username="office", is_staff=True)
    clerk.user_permissions.set(Permission.objects.filter(codename__in=["view_appealpolicy", "change_appealpolicy"]))
    client.force_login(clerk)
    url = f"/admin/appeals/appealpolicy/{policy.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]  # shown, not editable
    assert client.post(url, _policy_form(policy, standard_term=10)).status_code == 403
    assert _terms(policy)[0] == 5
    assert client.get(f"/admin/appeals/appealpolicy/{policy.pk}/delete/").status_code == 403


def test_an_appeal_is_found_by_its_number_and_only_read(appeals_city, admin_client):
    appeal = _complaint(appeals_city)
    _complaint(appeals_city, subject="Інша скарга")
    listing = admin_client.get("/admin/appeals/appeal/", {"q": appeal.ref})
    assert [row.ref for row in listing.context["cl"].result_list] == [appeal.ref]
    # The text is not searched: the admin's search box is not a way into what people wrote.
    assert list(admin_client.get("/admin/appeals/appeal/", {"q": "Приватний"}).context["cl"].result_list) == []
    page = admin_client.get(f"/admin/appeals/appeal/{appeal.pk}/change/")
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}  # every field is shown read-only
    assert appeal.ref in page.content.decode()
    refused = admin_client.post(f"/admin/appeals/appeal/{appeal.pk}/change/", {"status": "answered"})
    assert refused.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "registered"
    assert admin_client.get("/admin/appeals/appeal/add/").status_code == 403
    assert admin_client.get(f"/admin/appeals/appeal/{appeal.pk}/delete/").status_code == 403


def test_the_event_log_is_append_only_in_the_admin(appeals_city, admin_client):
    appeal = _complaint(appeals_city)
    event = appeal.events.get()
    assert admin_client.get(f"/admin/appeals/appealevent/{event.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/appeals/appealevent/{event.pk}/change/", {"note": "x"}).status_code == 403
    assert admin_client.post(f"/admin/appeals/appealevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get("/admin/appeals/appealevent/add/").status_code == 403
    assert AppealEvent.objects.get(pk=event.pk).note == ""
    listing = admin_client.get("/admin/appeals/appealevent/", {"q": appeal.ref})
    assert [row.pk for row in listing.context["cl"].result_list] == [event.pk]


def test_the_admin_lists_keep_their_query_budget(appeals_city, admin_client, django_assert_max_num_queries):
    for n in range(12):
        _complaint(appeals_city, subject=f"Скарга {n}")
    for url in ("/admin/appeals/appeal/", "/admin/appeals/appealevent/", "/admin/appeals/appealpolicy/"):
        with django_assert_max_num_queries(12):
            assert admin_client.get(url).status_code == 200
