"""`python -m discord_bot_bench [options]` (the Bazel binary's main)."""

import sys

from discord_bot_bench.main import main

sys.exit(main(sys.argv[1:]))
