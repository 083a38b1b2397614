#!/bin/sh
# Regenerates the golden drift cases into a temporary folder and compares them with the committed
# ones, so the data in tests/golden/drift is exactly what gen_drift.py writes.
# Exit 0: in sync. Exit 1: out of sync (regenerate and commit). Exit 77: skipped (no SciPy 1.10.1
# under /usr/bin/python3, or $MW_REFERENCE_PYTHON; the golden values are defined against that
# version).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=${MW_REFERENCE_PYTHON:-/usr/bin/python3}  # Debian's, with python3-scipy

version=$("$py" -c 'import numpy, scipy; print(scipy.__version__)' 2>/dev/null) || {
  echo "skipped: no scipy under $py"
  exit 77
}
if [ "$version" != "1.10.1" ]; then
  echo "skipped: SciPy $version under $py; the golden data is defined against 1.10.1"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$py" "$here/gen_drift.py" --out-dir "$tmp/drift"
if diff -r "$here/drift" "$tmp/drift" >"$tmp/diff.txt"; then
  echo "golden data in sync with gen_drift.py"
else
  head -c 4000 "$tmp/diff.txt"
  echo
  echo "tests/golden/drift differs from what gen_drift.py writes;"
  echo "regenerate with: $py tests/golden/gen_drift.py"
  exit 1
fi
