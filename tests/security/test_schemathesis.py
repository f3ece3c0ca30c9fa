"""Property-based fuzzing of the whole JSON API from its OpenAPI schema: whatever the
input, no answer is a server error.

Schemathesis generates with its full range: valid and invalid inputs (both modes), any
Unicode (no codec, so lone surrogates too), NUL, extreme numbers and dates, for every
operation, as the organiser (so that inputs get past authentication into the code behind).
Valid cases then get one string, number, key or query value replaced by a value that once
broke the API (a lone surrogate, a Unicode digit, a date at an end of the calendar...):
random generation alone rarely lands those where they matter.

The two backends' runs of a mode send the same requests: generation is derandomised and
the scene's ids are the same on both. Generating took about three quarters of this test's
CPU, so the first run of a mode records the cases it sends and the other sends them again
(`Recording`), unless its scene differs.
"""

import contextlib
import fcntl
import hashlib
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core import NotSet

from tests import factories

EXAMPLES = 6
# Values that broke the API once, put in place of one string, number or key of a valid case.
HOSTILE = ["\ud800", "\x00", "²", "٣", "9" * 40, "-1", "1e309",
           "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-14:00", "x" * 5000]
HOSTILE_NUMBERS = [2**70, -(2**70), 1e308, -1, 0]


def api_schema(app):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    generation = schema.config.generation
    generation.codec = None  # any code point, lone surrogates included
    generation.allow_x00 = True
    return schema


def leaves(value, path=()):  # type: ignore[no-untyped-def]
    """Paths to every string, number and key of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, ("key", key))
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield path


def replaced(value, path, new):  # type: ignore[no-untyped-def]
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(head, tuple):  # a key
        return {(new if k == head[1] else k): v for k, v in value.items()}
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = replaced(value[head], rest, new)
    return copy


def hostile(data, case):  # type: ignore[no-untyped-def]
    """The case with one of its strings, numbers or keys (or a query value) made hostile."""
    targets = [("body", p) for p in leaves(case.body)] if isinstance(case.body, dict | list) else []
    targets += [("query", (k,)) for k in (case.query or {})]
    if not targets:
        return case
    where, path = data.draw(st.sampled_from(targets))
    old = case.body if where == "body" else case.query
    leaf = old
    for part in path:
        leaf = leaf if isinstance(part, tuple) else leaf[part]
    numeric = isinstance(leaf, int | float) and not isinstance(path[-1], tuple)
    new = data.draw(st.sampled_from(HOSTILE_NUMBERS if numeric else HOSTILE))
    if where == "body":
        case.body = replaced(old, path, new)
    else:
        case.query = {**old, path[0]: new}
    return case


CASE_FIELDS = ("method", "path_parameters", "cookies", "query", "media_type",
               "multipart_content_types", "_meta")


class Recording:
    """The cases one run of a mode sent, by operation, for the other backend's run."""

    def __init__(self, cases: dict[str, list[bytes]] | None = None) -> None:
        self.replaying = cases is not None
        self.cases: dict[str, list[bytes]] = defaultdict(list, cases or {})

    def add(self, operation, case) -> None:  # type: ignore[no-untyped-def]
        # Pickled at once: sending a case may change it.
        fields = {name: getattr(case, name) for name in CASE_FIELDS}
        fields["headers"] = None if case.headers is None else dict(case.headers)
        if not isinstance(case.body, NotSet):  # NOT_SET is compared by identity
            fields["body"] = case.body
        self.cases[operation.label].append(pickle.dumps(fields))

    def replay(self, operation):  # type: ignore[no-untyped-def]
        return [operation.Case(**pickle.loads(fields)) for fields in self.cases[operation.label]]


@contextlib.contextmanager
def recording(directory: Path, mode: GenerationMode, scene: dict) -> Iterator[Recording]:  # type: ignore[type-arg]
    """The recording of this mode and scene if a run made it, else a new one, saved once
    the run has sent every case. The lock makes the other backend's run wait for the one
    generating."""
    key = hashlib.sha256(repr((mode.value, sorted(scene.items()))).encode()).hexdigest()[:16]
    path = directory / f"schemathesis-{key}.pickle"
    with (directory / f"schemathesis-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            yield Recording(pickle.loads(path.read_bytes()))
            return
        made = Recording()
        yield made
        path.write_bytes(pickle.dumps(dict(made.cases)))


@pytest.fixture(scope="session")
def run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory all test processes of this run share (xdist gives each a directory of
    its own in the run's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def send(case, headers, failures, mode) -> None:  # type: ignore[no-untyped-def]
    try:
        response = case.call(headers={**(case.headers or {}), **headers})
    except (UnicodeEncodeError, ValueError) as exc:
        # The HTTP client itself cannot send it (a surrogate in a URL or a header).
        if "surrogates not allowed" in str(exc) or isinstance(exc, UnicodeEncodeError):
            return
        raise
    if response.status_code >= 500:
        failures.append(f"{mode.value} {case.method} {case.formatted_path}: "
                        f"{response.status_code} {response.text[:200]}")


def fuzz(operation, mode, headers, failures, scene, made):  # type: ignore[no-untyped-def]
    # Valid cases address the scene's objects, so that they reach the code past the look-up
    # (random ids only meet 404s); invalid cases keep schemathesis' own ids.
    known = {name: scene[name] for name in re.findall(r"{(\w+)}", operation.path)
             if name in scene}
    fixed = {"path_parameters": known} if mode is GenerationMode.POSITIVE and known else {}

    @given(case=operation.as_strategy(generation_mode=mode, **fixed), data=st.data())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case, data):  # type: ignore[no-untyped-def]
        if mode is GenerationMode.POSITIVE:
            case = hostile(data, case)
        made.add(operation, case)
        send(case, headers, failures, mode)

    # An operation without inputs has no invalid form to try.
    with contextlib.suppress(Unsatisfiable):
        call()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
@pytest.mark.slow
def test_api_never_answers_with_a_server_error(  # type: ignore[no-untyped-def]
    app, world, scene, client, mode, run_directory
):
    schema = api_schema(app)
    headers = factories.bearer(client, world.organiser)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]

    with recording(run_directory, mode, scene) as cases:
        for operation in operations:
            if cases.replaying:
                for case in cases.replay(operation):
                    send(case, headers, failures, mode)
            else:
                fuzz(operation, mode, headers, failures, scene, cases)

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
