"""A bounded property-based run of schemathesis against kette's own OpenAPI document.

Schemathesis reads /api/openapi.json, generates requests for every public
operation (the HSDS API and the municipality list; the network endpoints need a
login) from the declared parameters, sends them to the WSGI application in
process and checks each response: no server error, a declared status code and
content type, and a body that conforms to the declared schema (for HSDS: the
official schemas, with no fields beyond them); not that every schema-valid
request is accepted (see `check`). Hypothesis is derandomised and
the number of examples per operation small, so the run is repeatable and stays
well under a minute.
"""

import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kette.directory import services
from kette.directory.models import ServiceStatus
from kette.directory.tests.factories import ServiceFactory
from kette.directory.tests.hsds_data import full_offer
from kette.testing import factories

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 50
PUBLIC = r"^/api/(hsds/|municipalities)"


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request, which
    would end the test's transaction; Django's test client prevents that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_the_public_api_conforms_to_its_openapi_document(keep_connection):
    programme = factories.ProgrammeFactory()
    offer = full_offer(programme=programme)
    ServiceFactory(organization=offer.organization, name="Entwurf", status=ServiceStatus.DRAFT)
    ServiceFactory(organization=offer.organization, name="Elterncafé", min_age_months=36)
    services.directory_reindex()

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.include(path_regex=PUBLIC).get_all_operations()]
    assert len(operations) == 12
    started = time.monotonic()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # Not "schema-valid data is accepted": a `maximum_age` below
            # `minimum_age` answers 422 by design (docs/hsds.md), a constraint
            # between two parameters that an OpenAPI document cannot state.
            # Every other check runs.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        check()
    elapsed = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations in {elapsed:.1f} s")
    assert elapsed < 60
