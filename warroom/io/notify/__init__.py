"""Notifications: webhooks (generic JSON, DingTalk and WeCom robots), e-mail, and every service
apprise knows (Feishu/Lark, Slack, Teams, Telegram, PagerDuty…) through the ``apprise`` kind.

```python
channels = load_channels_file("notify.yaml")        # or load_channels(parsed_section)
notifier = Notifier(channels)
task = notifier.start()                            # on the running asyncio loop
notifier.submit(Notification(key="INC-7", state="opened", severity="P1",
                             title="QR payment success 91%", text="…", ts_ms=now))
notifier.status()                                  # per-channel counts, last error, recent
await notifier.close(timeout=5)
```

``notification_from_event(event)`` turns an alert or incident row of the event log into a
``Notification``. ``submit`` never blocks and never raises. Dedup, rate limits, digests and retries are
described in ``notifier.py`` and ``docs/notifications.md``. Secrets (robot tokens, DingTalk
secrets, SMTP passwords, apprise URL tokens) never appear in ``repr``, status or log lines.
``coverage_warnings(channels)`` names the severities only one channel pages for (the notifier
logs them at start and shows them in ``status().warnings``). A channel marked
``escalation: true`` carries only incidents that missed their response target (``escalation.py``).
"""

from warroom.io.notify.channels import (
    Channel,
    DingTalkChannel,
    EmailChannel,
    WebhookChannel,
    WeComChannel,
    dingtalk_sign,
)
from warroom.io.notify.config import (
    KINDS,
    load_channels,
    load_channels_file,
    load_response_targets_file,
    response_targets,
)
from warroom.io.notify.coverage import channels_by_severity, coverage_warnings
from warroom.io.notify.escalation import ESCALATION_STATE, escalation_channels
from warroom.io.notify.events import notification_from_event
from warroom.io.notify.model import (
    SEVERITIES,
    DeliveryError,
    DigestSummary,
    Notification,
    NotifyConfigError,
    Outgoing,
    redact_text,
    redact_url,
    severity_rank,
)
from warroom.io.notify.notifier import Notifier, SendFn
from warroom.io.notify.state import (
    ChannelStatus,
    DeliveryRecord,
    NotifierStatus,
    RetryPolicy,
)
from warroom.io.notify.via_apprise import AppriseChannel

__all__ = [
    "ESCALATION_STATE",
    "KINDS",
    "SEVERITIES",
    "AppriseChannel",
    "Channel",
    "ChannelStatus",
    "DeliveryError",
    "DeliveryRecord",
    "DigestSummary",
    "DingTalkChannel",
    "EmailChannel",
    "Notification",
    "Notifier",
    "NotifierStatus",
    "NotifyConfigError",
    "Outgoing",
    "RetryPolicy",
    "SendFn",
    "WeComChannel",
    "WebhookChannel",
    "channels_by_severity",
    "coverage_warnings",
    "dingtalk_sign",
    "escalation_channels",
    "load_channels",
    "load_channels_file",
    "load_response_targets_file",
    "notification_from_event",
    "redact_text",
    "redact_url",
    "response_targets",
    "severity_rank",
]
