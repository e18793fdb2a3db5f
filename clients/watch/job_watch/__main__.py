"""`python -m job_watch <domain> [<job_id>] ...` (the Bazel binary's main)."""

import sys

from job_watch.main import main

sys.exit(main(sys.argv[1:]))
