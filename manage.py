#!/usr/bin/env python
"""Developer convenience: the same as the ``livsvillkor`` console script."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))

from livsvillkor.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
