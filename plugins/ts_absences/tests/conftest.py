import pytest


@pytest.fixture(scope="session")
def ts_service_under_test():
    return "absences"
