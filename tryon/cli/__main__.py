"""``python -m tryon.cli``: the same as the ``tryon`` command."""

from tryon.cli import main

raise SystemExit(main())
