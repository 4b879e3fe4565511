"""Imported first by a benchmark's server: the events recorder without the hash chain.

Only to measure what the chain costs (tests/benchmarks/test_chain_cost.py); the
service itself has no way to write events without it.
"""

from infrastructure.chain_recorder import LendingPostgresFactory
from infrastructure.recorder import EventRecorder

LendingPostgresFactory.application_recorder_class = EventRecorder
