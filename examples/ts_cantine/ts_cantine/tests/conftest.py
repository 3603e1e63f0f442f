import pytest

from .known import SETTINGS


@pytest.fixture(scope="session")
def ts_service_under_test():
    return "cantine"


@pytest.fixture(scope="session")
def ts_service_settings():
    return SETTINGS
