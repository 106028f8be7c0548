"""Benchmarks (each prints its figures and the CPU it ran on). Those on PostgreSQL start several processes, which must
share a sealing key (service/sealing.py): a run without KAVALU_SEALING_KEYS gets one of its own."""

import os

from cryptography.fernet import Fernet

os.environ.setdefault("KAVALU_SEALING_KEYS", Fernet.generate_key().decode())
