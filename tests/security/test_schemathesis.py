"""Property-based fuzzing of the whole JSON API from its OpenAPI schema: whatever the
input, no answer is a server error."""

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests import factories

EXAMPLES = 8


def test_api_never_answers_with_a_server_error(app, world, client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # As the organiser, so that inputs get past authentication into the code behind it.
    headers = factories.bearer(client, world.organiser)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):  # type: ignore[no-untyped-def]
            response = case.call(headers={**(case.headers or {}), **headers})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} "
                                f"{response.text[:200]}")

        call()

    assert len(operations) > 60
    assert failures == [], "\n".join(failures)


def test_an_id_too_large_for_the_database_is_not_found(client, world):
    headers = factories.bearer(client, world.organiser)

    response = client.get(f"/api/v1/contests/{2**63}", headers=headers)

    assert response.status_code == 404


def test_a_number_too_large_for_the_database_is_invalid_input(client, world):
    headers = factories.bearer(client, world.organiser)

    response = client.post(f"/api/v1/judges/{world.judges[0].id}/conflicts",
                           json={"entry_id": 2**70}, headers=headers)

    assert response.status_code == 422
