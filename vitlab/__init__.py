"""ViT from Scratch: the helper package the course notebooks import.

Student-side modules: ``config`` (quick mode, paths), ``device``, ``data``, ``plotting`` and the
``checks`` library with its catalogue of typical mistakes. The ``hidden`` subpackage holds the hidden test
cases and instructor-only oracles; it is left out of the student release.
"""

from vitlab.config import FAST
from vitlab.device import pick_device

__all__ = ["FAST", "pick_device"]
__version__ = "0.1.0"
