"""`python -m discord_bot` (the Bazel binary's main)."""

import sys

from discord_bot.main import main

sys.exit(main())
