#!/usr/bin/env python
"""Django's command-line utility, wrapped so that bad configuration prints one clear line."""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from portal.cli import main

    main(sys.argv)
