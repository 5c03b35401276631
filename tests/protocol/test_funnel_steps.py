"""Protocol 1.6 funnel steps: ``scenarios[].steps`` cross the wire; a feed that sends none keeps
the older shape; a bad step drops the scenario's funnel (counted), never the scenario."""

from __future__ import annotations

import json

from warroom.core.model import SeriesKey, step_series
from warroom.protocol import Decoder, encode
from warroom.protocol.errors import ErrorCode
from warroom.protocol.messages import TopologySnapshot
from warroom.sim.platform import build_platform

NOW = 1_767_225_600_000


def _decode(message):
    return Decoder().decode(encode(message), now_ms=NOW)


def _wire(**steps_of) -> dict:
    topo = build_platform().topology
    body = TopologySnapshot(NOW, topo).to_wire()
    for sc in body["scenarios"]:
        if sc["id"] in steps_of:
            sc["steps"] = steps_of[sc["id"]]
    return body


def _decode_body(body: dict):
    return Decoder().decode(json.dumps({"v": 1, "type": "topology", **body}), now_ms=NOW)


def test_steps_cross_the_wire_with_their_names_series_and_services():
    topo = build_platform().topology
    got = _decode(TopologySnapshot(NOW, topo))
    assert got.errors == []
    qr = got.message.topology.scenario("qr_pay")
    assert qr.steps == topo.scenario("qr_pay").steps
    assert [s.id for s in qr.steps] == ["checkout", "pay", "bank_confirmed"]
    assert qr.steps[2].services == ("bank-icbc", "bank-ccb", "bank-abc", "bank-boc")
    assert qr.steps[1].titles == {"zh_CN": "提交支付"}
    assert qr.steps[0].series == step_series("qr_pay", "checkout")
    assert got.message.topology.scenario("transfer").steps == ()


def test_a_scenario_without_steps_keeps_the_older_shape():
    wire = TopologySnapshot(NOW, build_platform().topology).to_wire()
    transfer = next(sc for sc in wire["scenarios"] if sc["id"] == "transfer")
    assert "steps" not in transfer


def test_a_step_may_name_its_own_series_and_omit_everything_else():
    body = _wire(transfer=[{"id": "sent"}, {"id": "booked", "series": 'ledger_booked_rate{kind="transfer"}'}])
    got = _decode_body(body)
    assert got.errors == []
    steps = got.message.topology.scenario("transfer").steps
    assert steps[0].series == step_series("transfer", "sent") and steps[0].services == ()
    assert steps[1].series == SeriesKey("ledger_booked_rate", {"kind": "transfer"})


def test_bad_steps_drop_the_funnel_with_an_error_and_keep_the_scenario():
    bad = {
        "transfer": [{"id": "a"}, {"id": "a"}],  # repeated
        "top_up": [{"id": "x/y"}],  # a '/' would break the alert subject
        "refund": [{"id": "a", "series": "not a {series"}],
        "bill_query": "checkout",  # not a list
        "settlement": [{"id": "a", "services": ["clearing", 3]}],
    }
    got = _decode_body(_wire(**bad))
    topo = got.message.topology
    for sid in bad:
        assert topo.scenario(sid).steps == ()
        assert any(sid in e.message and "steps" in e.message for e in got.errors), sid
    assert all(e.code is ErrorCode.BAD_FIELD for e in got.errors)
    assert len(topo.scenario("qr_pay").steps) == 3  # the good funnels are kept
