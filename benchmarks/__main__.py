"""``python -m benchmarks``: run every benchmark and write docs/performance.md."""

import sys

from benchmarks.run import main

sys.exit(main())
