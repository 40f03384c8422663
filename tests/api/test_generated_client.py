"""A typed Python client generated from the live schema proves the schema can be consumed.

openapi-python-client (pinned in requirements-dev.txt) generates a client from what a running
server serves at /api/schema/, into a temporary directory, and the test uses it against that server
the way an integrator would: sign in, list the issue layer in a bounding box, report a problem with
answers to its category's questions, read it back, and accept it as its executor. The generated
models parse every answer strictly, so a schema that lies (a `null` where it promised a string)
fails here as it would in an integrator's code.

Generated at test time rather than committed: the contract under review is docs/openapi.yaml, and
a second, generated copy of it would be one more thing to keep in sync; the client is the
integrator's to generate (README, "Generating a client").
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from issues.models import CategoryAttribute, IssueEvent
from tests.factories import CENTRE_LAT, CENTRE_LON

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
PACKAGE = "opencity_client"


@pytest.fixture
def generated_client(live_server, tmp_path):
    """The `opencity_client` package, generated from the live server's schema."""
    schema = tmp_path / "openapi.json"
    answer = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    assert answer.status_code == 200
    schema.write_bytes(answer.content)
    config = tmp_path / "generator.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")  # no formatter run: faster
    generator = Path(sys.executable).with_name("openapi-python-client")
    completed = subprocess.run(
        [str(generator), "generate", "--path", str(schema), "--output-path", str(tmp_path / PACKAGE)]
        + ["--meta", "none", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Warning" not in completed.stdout, completed.stdout  # every operation and model generated
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module(PACKAGE)
        for module in pkgutil.walk_packages(package.__path__, prefix=PACKAGE + "."):
            importlib.import_module(module.name)  # every operation and model is usable
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_an_integrator_reports_and_the_executor_accepts_with_a_generated_client(
    generated_client, live_server, world, report
):
    existing = report()  # before the question below: it would need an answer
    CategoryAttribute.objects.create(
        category=world.pothole,
        code="where",
        datatype="singlevaluelist",
        required=True,
        description_uk="Де яма?",
        description_en="Where is the pothole?",
        values=[
            {"key": "roadway", "name_uk": "На проїжджій частині", "name_en": "On the roadway"},
            {"key": "sidewalk", "name_uk": "На тротуарі", "name_en": "On the sidewalk"},
        ],
    )
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    api = {
        name: importlib.import_module(f"{PACKAGE}.api.{module}")
        for name, module in {
            "token": "auth.auth_token_create",
            "categories": "issues.categories_list",
            "layer": "issues.issues_list",
            "create": "issues.issues_create",
            "retrieve": "issues.issues_retrieve",
            "transition": "issues.issues_transition",
        }.items()
    }

    def signed_in(username: str):
        anonymous = client_module.Client(base_url=live_server.url, raise_on_unexpected_status=True)
        token = api["token"].sync(client=anonymous, body=models.TokenInputRequest(username=username, password=PASSWORD))
        assert isinstance(token, models.Token), token
        return client_module.AuthenticatedClient(
            base_url=live_server.url, token=token.token, prefix="Token", raise_on_unexpected_status=True
        )

    citizen = signed_in("citizen")

    layer = api["layer"].sync(
        client=citizen, bbox=f"{CENTRE_LON - 0.05},{CENTRE_LAT - 0.05},{CENTRE_LON + 0.05},{CENTRE_LAT + 0.05}"
    )
    assert [feature.properties.ref for feature in layer.features] == [existing.ref]
    assert (layer.count, layer.truncated) == (1, False)

    categories = api["categories"].sync(client=citizen)
    pothole = next(category for category in categories if category.code == "pothole")
    question = pothole.attributes[0]
    assert (question.code, question.required, [value.key for value in question.values]) == (
        "where",
        True,
        ["roadway", "sidewalk"],
    )

    created = api["create"].sync(
        client=citizen,
        body=models.IssueCreateInputRequest(
            category="pothole",
            description="Яма біля зупинки, глибока",
            location=models.IssueCreateInputRequestLocation(
                type_=models.IssueCreateInputRequestLocationType.POINT, coordinates=[CENTRE_LON - 0.01, CENTRE_LAT]
            ),
            attributes=models.IssueCreateInputRequestAttributes.from_dict({question.code: question.values[0].key}),
        ),
    )
    assert isinstance(created, models.IssueDetailOutput), created
    assert created.status == models.IssueStatusEnum.ASSIGNED
    assert created.executor.code == "roads"
    assert created.duplicate_of is None and created.promised_date is None

    read = api["retrieve"].sync(client=citizen, ref=created.ref)
    assert read.ref == created.ref
    assert read.attributes.to_dict() == {"where": "roadway"}
    assert read.location.coordinates == [CENTRE_LON - 0.01, CENTRE_LAT]

    executor = signed_in("roads-staff")
    promised = timezone.localdate() + datetime.timedelta(days=5)
    accepted = api["transition"].sync(
        client=executor,
        ref=created.ref,
        body=models.TransitionInputRequest(action=models.ActionEnum.ACCEPT, promised_date=promised),
    )
    assert isinstance(accepted, models.IssueDetailOutput), accepted
    assert accepted.status == models.IssueStatusEnum.IN_PROGRESS
    assert accepted.promised_date == promised
    assert (
        IssueEvent.objects.filter(issue__ref=created.ref, kind="status_changed", to_status="in_progress").count() == 1
    )

    refused = api["transition"].sync_detailed(
        client=citizen, ref=created.ref, body=models.TransitionInputRequest(action=models.ActionEnum.ACCEPT)
    )
    assert refused.status_code == 403
    assert isinstance(refused.parsed, models.Error) and refused.parsed.code == "action_forbidden"
    assert IssueEvent.objects.filter(issue__ref=created.ref, actor=world.citizen, kind="status_changed").count() == 0
