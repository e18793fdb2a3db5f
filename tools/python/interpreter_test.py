"""The registered toolchain runs every test on Debian's /usr/bin/python3 (3.11)."""

import sys

assert sys.version_info[:2] == (3, 11), sys.version
assert sys.executable == "/usr/bin/python3", sys.executable
