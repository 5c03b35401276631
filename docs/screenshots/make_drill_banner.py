"""The DRILL banner on the command-centre wall, 1920x1080, during a drill (docs/drills.md).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_drill_banner.py --lang en \\
        --out docs/screenshots/drill-banner-en.png

The simulated payment platform with ``--drill`` (every fault a drill's): an ICBC latency spike one
simulated minute in, the wall four minutes in: the violet DRILL bar across the top, the drill's
alerts and incident tagged DRILL in the event feed, the MTTR tile counting production only. It is
``warroom snapshot``, so the picture is what a console shows.
"""

from __future__ import annotations

import argparse
import sys

from warroom.cli import main


def run(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lang", default="en", choices=("en", "zh_CN"))
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    return main(["snapshot", "--layout", "command-centre", "--size", "1920x1080", "--after", "4m",
                 "--fault", "bank_latency_spike:bank-icbc@1m", "--drill", "--lang", args.lang, "--out", args.out])


if __name__ == "__main__":
    sys.exit(run())
