"""PDF documents with appeals (issue 15, item 3: "answers as text plus signed PDF/attachments"): a
citizen's scan with the appeal and the unit's signed answer, through the pages and the API; the
author downloads them byte for byte as attachments, anyone else is told there is no such appeal."""

from __future__ import annotations

import hashlib
import json
import urllib.request
import uuid

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from appeals.models import Appeal, AppealAttachment, AttachmentRole
from appeals.rules.transitions import AppealAction, AppealStatus
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from media_store.formats import ALL_KINDS
from media_store.models import MediaAsset
from media_store.services import media_intake
from tests.media_store import test_s3
from tests.media_store.media import pdf_bytes, upload
from tests.media_store.test_s3 import ACCESS_KEY, REGION, SECRET_KEY, objects, s3_client, s3_storage_settings

pytestmark = pytest.mark.django_db

ADDRESS = "м. Дрогобич, вул. Шевченка, 5, кв. 2"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def pdf_upload(content: bytes, name: str = "skan.pdf"):
    return upload(content, name, "application/pdf")


def routed_complaint(appeals_city) -> Appeal:
    appeal = appeal_submit(
        author=appeals_city.author,
        data=AppealInput(kind="complaint", subject="Яма у дворі", text="Глибока яма.", postal_address=ADDRESS),
    )
    return appeal_transition(
        appeal=appeal,
        actor=appeals_city.clerk,
        action=AppealAction.ROUTE,
        data=AppealTransitionInput(unit=appeals_city.world.roads),
    )


def api_for(user: User | None, language: str = "uk") -> APIClient:
    client = APIClient(headers={"accept-language": language})
    if user is not None:
        client.force_authenticate(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- the pages -----------------------------------------------------------------------------------------


def test_a_citizen_files_an_appeal_with_a_scanned_pdf_and_sees_it_listed(appeals_city, client):
    scan = pdf_bytes(3)
    client.force_login(appeals_city.author)
    response = client.post(
        "/appeals/new/",
        {
            "kind": "complaint",
            "subject": "Не вивозять сміття",
            "text": "Третій тиждень не вивозять сміття.",
            "author_name": "Тарас Шевчук",
            "postal_address": ADDRESS,
            "files": [pdf_upload(scan)],
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    appeal = Appeal.objects.get()
    link = appeal.attachments.select_related("asset").get()
    assert (link.role, link.asset.kind, link.asset.page_count) == (AttachmentRole.APPEAL, "document", 3)
    with link.asset.file.open("rb") as stored:
        assert stored.read() == scan

    page = client.get(f"/appeals/{appeal.ref}/", headers={"accept-language": "uk"})
    text = page.content.decode()
    assert f'href="/appeals/{appeal.ref}/files/{link.asset.public_id}/" download' in text
    with translation.override("uk"):
        assert f'<span class="muted file-facts">PDF, 3 сторінки, {filesizeformat(len(scan))}</span>' in text
    english = client.get(f"/appeals/{appeal.ref}/", headers={"accept-language": "en"}).content.decode()
    assert f"PDF, 3 pages, {len(scan)}\xa0bytes" in english
    assert "сторінки" not in english


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (pdf_bytes(1, password="1234"), "Документ PDF захищено паролем або зашифровано. Надішліть його без пароля."),
        (pdf_bytes(2)[:-300], "Файл пошкоджений або неповний, його неможливо прочитати."),
    ],
    ids=["encrypted", "truncated"],
)
def test_an_encrypted_or_broken_pdf_is_a_form_error_and_nothing_is_filed(appeals_city, client, content, message):
    client.force_login(appeals_city.author)
    response = client.post(
        "/appeals/new/",
        {"kind": "information_request", "subject": "S", "text": "T", "files": [pdf_upload(content)]},
        headers={"accept-language": "uk"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["files"] == [message]
    assert not Appeal.objects.exists() and not MediaAsset.objects.exists()


def test_the_unit_answers_with_a_signed_pdf_and_only_the_author_downloads_it(
    appeals_city, client, immediate_tasks, django_capture_on_commit_callbacks
):
    appeal = routed_complaint(appeals_city)
    signed = pdf_bytes(2, title="Відповідь, підписано КЕП")
    client.force_login(appeals_city.world.roads_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/appeals/{appeal.ref}/act/",
            {
                "action": "answer",
                "answer": "Яму засипано.",
                "outcome": "supported",
                "files": [pdf_upload(signed, "vidpovid.pdf")],
            },
        )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED
    link = AppealAttachment.objects.select_related("asset").get(appeal=appeal)
    assert (link.role, link.asset.kind, link.asset.page_count) == (AttachmentRole.ANSWER, "document", 2)

    client.force_login(appeals_city.author)
    url = f"/appeals/{appeal.ref}/files/{link.asset.public_id}/"
    page = client.get(f"/appeals/{appeal.ref}/", headers={"accept-language": "uk"}).content.decode()
    assert url in page and "PDF, 2 сторінки" in page
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{appeal.ref}-answer-{link.pk}.pdf"'
    assert download["Cache-Control"] == "private, no-store"
    assert body(download) == signed  # byte for byte: a signature inside would still verify

    for stranger in (appeals_city.world.citizen, appeals_city.world.water_staff):
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.get(f"/appeals/{appeal.ref}/").status_code == 404


# --- the API -------------------------------------------------------------------------------------------


def test_api_a_pdf_goes_with_an_appeal_and_with_its_answer_and_the_author_downloads_it(appeals_city):
    world = appeals_city.world
    scan = pdf_bytes(1)
    author = api_for(appeals_city.author)
    uploaded = author.post("/api/v1/media/", {"file": pdf_upload(scan)}, format="multipart")
    assert uploaded.status_code == 201 and uploaded.json()["kind"] == "document"
    created = author.post(
        "/api/v1/appeals/",
        {
            "kind": "complaint",
            "subject": "Яма у дворі",
            "text": "Глибока яма.",
            "postal_address": ADDRESS,
            "media": [uploaded.json()["id"]],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    [sent] = created.json()["attachments"]
    assert {k: sent[k] for k in ("role", "kind", "content_type", "size_bytes", "page_count")} == {
        "role": "appeal",
        "kind": "document",
        "content_type": "application/pdf",
        "size_bytes": len(scan),
        "page_count": 1,
    }
    ref = created.json()["ref"]
    assert (
        api_for(appeals_city.clerk)
        .post(f"/api/v1/appeals/{ref}/transitions/", {"action": "route", "unit": "roads"}, format="json")
        .status_code
        == 200
    )

    signed = pdf_bytes(4, title="Відповідь, підписано КЕП")
    unit = api_for(world.roads_staff)
    answer_file = unit.post("/api/v1/media/", {"file": pdf_upload(signed, "vidpovid.pdf")}, format="multipart")
    assert answer_file.status_code == 201
    answered = unit.post(
        f"/api/v1/appeals/{ref}/transitions/",
        {"action": "answer", "answer": "Яму засипано.", "outcome": "supported", "media": [answer_file.json()["id"]]},
        format="json",
    )
    assert answered.status_code == 200, answered.json()

    detail = author.get(f"/api/v1/appeals/{ref}/").json()
    answer = next(a for a in detail["attachments"] if a["role"] == "answer")
    assert (answer["kind"], answer["page_count"], answer["size_bytes"]) == ("document", 4, len(signed))
    download = author.get(answer["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    link = AppealAttachment.objects.get(asset__public_id=answer["id"])
    assert download["Content-Disposition"] == f'attachment; filename="{ref}-answer-{link.pk}.pdf"'
    got = body(download)
    assert got == signed
    assert hashlib.sha256(got).hexdigest() == link.asset.sha256

    for stranger in (world.other_citizen, world.water_staff, world.citizen):
        assert api_for(stranger).get(answer["url"]).status_code == 404
    assert api_for(None).get(answer["url"]).status_code == 401


def test_api_an_encrypted_pdf_for_an_answer_is_refused_in_english_too(appeals_city):
    response = api_for(appeals_city.world.roads_staff, "en").post(
        "/api/v1/media/", {"file": pdf_upload(pdf_bytes(1, password="x"))}, format="multipart"
    )
    message = "The PDF document is protected by a password or encrypted. Please send it without one."
    assert response.status_code == 400
    assert response.json() == {"code": "encrypted_document", "detail": message, "fields": {"file": [message]}}
    assert not MediaAsset.objects.exists()


# --- on an object store ----------------------------------------------------------------------------------

s3_server = test_s3.s3_server  # the moto server on 127.0.0.1, one per module


@pytest.fixture
def bucket(s3_server) -> str:
    name = f"opencity-appeal-pdf-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("public_url", [False, True], ids=["private-bucket", "bucket-with-a-public-address"])
def test_on_s3_a_pdf_is_withheld_from_the_start_and_downloads_signed_as_an_attachment(
    appeals_city, s3_server, bucket, monkeypatch, settings, client, public_url
):
    environment = {
        "OPENCITY_S3_BUCKET": bucket,
        "OPENCITY_S3_ENDPOINT_URL": s3_server,
        "OPENCITY_S3_ACCESS_KEY": ACCESS_KEY,
        "OPENCITY_S3_SECRET_KEY": SECRET_KEY,
        "OPENCITY_S3_REGION": REGION,
    }
    if public_url:
        # The bucket policy README asks for: anonymous reads of uploads/ and budget/ only.
        environment["OPENCITY_S3_PUBLIC_URL"] = f"{s3_server}/{bucket}/"
        s3_client(s3_server).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": [f"arn:aws:s3:::{bucket}/uploads/*", f"arn:aws:s3:::{bucket}/budget/*"]}],
        }))  # fmt: skip
    s3_storage_settings(monkeypatch, settings, **environment)
    appeal = routed_complaint(appeals_city)
    signed = pdf_bytes(2)

    asset = media_intake(
        uploaded_file=pdf_upload(signed), uploaded_by=appeals_city.world.roads_staff, kinds=ALL_KINDS
    ).asset
    # Never under uploads/ (the prefix a bucket policy may make public), not even before it is attached.
    assert asset.file.name.startswith("withheld/") and "/uploads/" in asset.file.name
    assert objects(s3_server, bucket) == {asset.file.name: signed}
    appeal_transition(
        appeal=appeal,
        actor=appeals_city.world.roads_staff,
        action=AppealAction.ANSWER,
        data=AppealTransitionInput(answer="Яму засипано.", outcome="supported", media=(asset,)),
    )
    assert objects(s3_server, bucket) == {asset.file.name: signed}  # withholding again moves nothing
    link = AppealAttachment.objects.get(asset=asset)

    client.force_login(appeals_city.author)
    response = client.get(f"/appeals/{appeal.ref}/files/{asset.public_id}/")
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_server}/{bucket}/withheld/") and "X-Amz-Signature=" in location
    with urllib.request.urlopen(location, timeout=10) as stored:  # noqa: S310 — our own local server
        assert stored.read() == signed
        assert stored.headers["Content-Type"] == "application/pdf"
        assert stored.headers["Content-Disposition"] == f'attachment; filename="{appeal.ref}-answer-{link.pk}.pdf"'
    client.force_login(appeals_city.world.citizen)
    assert client.get(f"/appeals/{appeal.ref}/files/{asset.public_id}/").status_code == 404
