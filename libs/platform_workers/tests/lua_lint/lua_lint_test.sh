#!/bin/bash
# luacheck over the libs' Redis scripts: every file must pass, and the bad fixture must
# fail (else a broken luacheck setup would pass everything).
# usage: lua_lint_test.sh <luacheckrc> <bad fixture> <file.lua>...
set -euo pipefail
config="$1"
bad="$2"
shift 2
if ! command -v luacheck > /dev/null; then
  echo "luacheck is missing: install Debian's lua-check (tools/dev install)" >&2
  exit 1
fi
luacheck --config "$config" --no-color --codes "$@"
if luacheck --config "$config" --no-color --codes "$bad" > /dev/null; then
  echo "the bad fixture $bad passed luacheck: the check is not working" >&2
  exit 1
fi
echo "luacheck: $# files clean; the bad fixture was refused"
