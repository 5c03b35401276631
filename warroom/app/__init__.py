"""Application services: what runs the core engines over a feed or a history.

The session (a console's connection), the recorder, the alert watch, the plan desk and the
replay session live here, above ``warroom.io`` (sockets, HTTP, auth) and below the
simulator and the UI. A reader finds "how a plan runs" here and "how bytes move" in ``io``.
"""
