"""Suite-wide: the tests never read or write the real user's folders.

The console writes a default configuration and a log at first start and reads
``config.yaml`` for its defaults; QSettings keeps window state under the config folder.
Pointing the XDG folders at a temporary one for the whole run (in ``os.environ``, so child
processes inherit it) keeps a developer's own settings out of the tests and the tests'
files out of the developer's home.
"""

from __future__ import annotations

import gc
import os
import shutil
import stat
import sys
import tempfile

import pytest

_HOME = tempfile.mkdtemp(prefix="warroom-tests-home-")
for _var, _sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                   ("XDG_CACHE_HOME", "cache")):
    os.environ[_var] = os.path.join(_HOME, _sub)
os.environ.pop("WARROOM_CONFIG", None)


def pytest_sessionfinish(session, exitstatus):  # noqa: ARG001 - pytest hook signature
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def _dev_null_stays_a_device():
    """Fail the test that turned ``/dev/null`` into a file. A ``QSettings`` over ``os.devnull``
    saves by renaming a temporary file onto it: run as root (CI is), that replaced the device,
    and the packaging step after the tests died on a missing ``/dev/null``."""
    yield
    if os.name == "posix":
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode), f"{os.devnull} is no longer a character device"


@pytest.fixture(autouse=True)
def _collect_garbage_on_the_main_thread():
    """Once a QApplication exists, Python's cyclic garbage is collected here, on the main thread,
    after each test, and never automatically: a collection that starts in a worker thread (a
    history writer's) and frees a Qt object there crashes the run, as it would the console
    (``warroom.ui.app.collect_garbage_on_gui_thread``)."""
    yield
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        gc.disable()
        gc.collect()


@pytest.fixture(autouse=True)
def _fresh_names_and_language():
    """Each test starts with no feed's names and in English, whatever ran before it.

    ``warroom.core.language.names`` keeps the last feed's names process-wide and ``warroom.core.language.lang``
    the language (the console has one feed and one language); without this a test read "Fault
    ICBC gateway" or "Fault bank-icbc" depending on which tests ran before it.
    """
    # Imported here: the XDG folders above are set before any warroom module loads.
    from warroom.core.language.lang import set_language
    from warroom.core.language.names import forget

    yield
    forget()
    set_language("en")
