"""The app tests use the io tests' scripted feed source."""

from tests.io.conftest import FakeSource, source  # noqa: F401 - a fixture, found by name
