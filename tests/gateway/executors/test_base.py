"""Templates, secrets masking and the site loader's option checks."""

from __future__ import annotations

import pytest

from warroom.gateway.executors import check_options
from warroom.gateway.executors.base import ExecError, Masker, render
from warroom.gateway.secrets import Secrets

VARS = {"plan": {"id": "p1"}, "target": "pay-api", "params": {"count": 500, "name": "x"}, "key": "k9",
        "snapshot": {"a": [1, {"b": True}]}}


def test_render_keeps_types_of_whole_placeholders_and_fills_text():
    assert render("{params.count}", VARS) == 500
    assert render("limit {target} to {params.count} ({plan.id}/{key})", VARS) == "limit pay-api to 500 (p1/k9)"
    assert render({"x": ["{snapshot.a.1.b}", "{{literal}}"]}, VARS) == {"x": [True, "{literal}"]}


def test_render_secrets_only_where_allowed_and_masked_unless_revealed():
    secrets = Secrets({"tok": "abc123"})
    assert render("Bearer {secret.tok}", VARS, allow_secrets=True) == "Bearer ***"
    assert render("Bearer {secret.tok}", VARS, secrets=secrets, allow_secrets=True) == "Bearer abc123"
    with pytest.raises(ExecError, match="only allowed in headers and env"):
        render("{secret.tok}", VARS, secrets=secrets)
    with pytest.raises(ExecError, match="not in the secrets file"):
        render("{secret.nope}", VARS, secrets=secrets, allow_secrets=True)
    with pytest.raises(ExecError, match="no 'missing' in params"):
        render("{params.missing}", VARS)
    assert Masker(["abc123"]).json({"h": ["x abc123 y"]}) == {"h": ["x *** y"]}


@pytest.mark.parametrize(("type_", "options", "expected"), [
    ("sentinel", {"clients": ["10.0.0.5:8719", "10.0.0.6"], "flow": [{"resource": "a", "count": "{params.c}"}]}, []),
    ("sentinel", {"clients": [], "flow": [{"count": 5, "colour": 1}]},
     ["clients: a list", "flow[0].colour: not a FlowRule field", "flow[0].resource: required"]),
    ("sentinel", {"clients": ["h"], "degrade": [{"resource": "a", "count": 5}]}, ["degrade[0].timeWindow: required"]),
    ("sentinel", {"clients": ["h"], "flow": [{"resource": "a", "count": "{secret.x}"}]},
     ["secrets are only allowed in headers and env"]),
    ("istio", {"api": "https://k", "token_secret": "t", "namespace": "n", "virtual_service": "v",
               "weights": {"v1": 50, "v2": "{params.v2}"}}, []),
    ("istio", {"api": "k", "namespace": "n", "virtual_service": "v", "route": -1, "weights": {"a": 101}},
     ["api: the Kubernetes API server URL", "token_secret: required", "route: an index", "weights.a: a whole number"]),
    ("http", {"url": "https://ops/x", "headers": {"A": "{secret.t}"}, "rollback": {"url": "https://ops/{snapshot.v}"}},
     []),
    ("http", {"url": "ftp://x", "equals": 1, "read": {"url": "https://ops/{snapshot.v}"}, "method": "BREW"},
     ["url: an http:// or https:// URL", "method: one of", "equals: needs json_path",
      "read.url: {snapshot.v}: the snapshot is only available"]),
    ("command", {"argv": ["/bin/echo", "{params.x}"], "env": {"T": "{secret.t}"}, "rollback_argv": ["/bin/true"]}, []),
    ("command", {"argv": ["echo", "{secret.t}"], "timeout_s": 3, "shell": True},
     ["shell: unknown key", "argv[0]: the program must be an absolute path", "secrets are only allowed"]),
    ("ansible", {}, ["type: unknown executor type 'ansible'"]),
])
def test_check_options(type_, options, expected):
    problems = check_options(type_, options)
    assert len(problems) == len(expected), problems
    for want in expected:
        assert any(want in p for p in problems), (want, problems)
