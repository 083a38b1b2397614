#!/bin/sh
# Regenerates one set of golden cases into a temporary folder and compares it with the committed
# one, so the data in tests/golden/NAME is exactly what gen_NAME.py writes.
#
# Usage: check_generator.sh NAME MODULE VERSION
#   NAME     metrics | drift (the folder tests/golden/NAME and its generator gen_NAME.py)
#   MODULE   the reference library the data is defined against (sklearn, scipy)
#   VERSION  its version (the golden values are defined against exactly that one)
# Exit 0: in sync. Exit 1: out of sync (regenerate and commit). Exit 77: skipped (MODULE VERSION
# is not under /usr/bin/python3, or $MW_REFERENCE_PYTHON). Exit 2: bad usage.
set -eu
if [ $# -ne 3 ]; then
  echo "usage: $0 NAME MODULE VERSION" >&2
  exit 2
fi
name=$1 module=$2 wanted=$3
here=$(cd "$(dirname "$0")" && pwd)
py=${MW_REFERENCE_PYTHON:-/usr/bin/python3}  # Debian's, with python3-sklearn / python3-scipy

version=$("$py" -c "import numpy, $module; print($module.__version__)" 2>/dev/null) || {
  echo "skipped: no $module under $py"
  exit 77
}
if [ "$version" != "$wanted" ]; then
  echo "skipped: $module $version under $py; the golden data is defined against $wanted"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$py" "$here/gen_$name.py" --out-dir "$tmp/$name"
if diff -r "$here/$name" "$tmp/$name" >"$tmp/diff.txt"; then
  echo "golden data in sync with gen_$name.py"
else
  head -c 4000 "$tmp/diff.txt"
  echo
  echo "tests/golden/$name differs from what gen_$name.py writes;"
  echo "regenerate with: $py tests/golden/gen_$name.py"
  exit 1
fi
