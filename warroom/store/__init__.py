"""DuckDB history: schema, a batched Arrow writer on its own thread, and range queries.

``StoreWriter`` appends metrics, events and topology snapshots; ``HistoryReader`` reads
them back (downsampled ranges, latest values, the event log, topology at a time).
``export_bundle`` writes one incident's stretch of a history as a self-contained bundle;
``validate_bundle`` checks one (``bundle.check``; see docs/bundles.md). Rows the writer cannot
store go to a quarantine table (``HistoryReader.quarantine``; see ``warroom.store.quarantine``).
"""

from warroom.store.bundle import BundleError, BundleInfo, export_bundle
from warroom.store.bundle.check import (
    append_review_notes,
    is_bundle,
    open_bundle,
    read_manifest,
    validate_bundle,
)
from warroom.store.quarantine import QuarantinedRow
from warroom.store.query import HistoryReader, SeriesData, bucket_width_ms
from warroom.store.schema import SCHEMA_VERSION, SchemaError, ensure_schema
from warroom.store.writer import DEFAULT_MEMORY_LIMIT_MB, FlushReport, StoreError, StoreWriter, WriterHealth

__all__ = [
    "DEFAULT_MEMORY_LIMIT_MB",
    "SCHEMA_VERSION",
    "BundleError",
    "BundleInfo",
    "FlushReport",
    "HistoryReader",
    "QuarantinedRow",
    "SchemaError",
    "SeriesData",
    "StoreError",
    "StoreWriter",
    "WriterHealth",
    "append_review_notes",
    "bucket_width_ms",
    "ensure_schema",
    "export_bundle",
    "is_bundle",
    "open_bundle",
    "read_manifest",
    "validate_bundle",
]
