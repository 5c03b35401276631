"""DuckDB history: schema, a batched Arrow writer on its own thread, and range queries.

``StoreWriter`` appends metrics, events and topology snapshots; ``HistoryReader`` reads
them back (downsampled ranges, latest values, the event log, topology at a time).
"""

from warroom.store.query import HistoryReader, SeriesData, bucket_width_ms
from warroom.store.schema import SCHEMA_VERSION, SchemaError, ensure_schema
from warroom.store.writer import FlushReport, StoreError, StoreWriter, WriterHealth

__all__ = [
    "SCHEMA_VERSION",
    "FlushReport",
    "HistoryReader",
    "SchemaError",
    "SeriesData",
    "StoreError",
    "StoreWriter",
    "WriterHealth",
    "bucket_width_ms",
    "ensure_schema",
]
