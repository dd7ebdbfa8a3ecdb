"""The checks library: public tests that name the mistake instead of dumping a traceback.

One module per notebook (``vitlab.checks.patchify`` ...), built on :mod:`vitlab.checks.core`
(three-step checks: inputs, student outputs, verdict) and :mod:`vitlab.checks.guards` (from-scratch
verification).
"""
from vitlab.checks.core import CheckFailure, Mistake, Outcome, Verdict

__all__ = ["CheckFailure", "Mistake", "Outcome", "Verdict"]
