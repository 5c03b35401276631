from tests.bus.conftest import nats_server  # noqa: F401 - the module-scoped real nats-server
