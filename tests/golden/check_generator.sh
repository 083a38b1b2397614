#!/bin/sh
# Regenerates the golden metrics cases into a temporary folder and compares them with the committed
# ones, so the data in tests/golden/metrics is exactly what gen_metrics.py writes.
# Exit 0: in sync. Exit 1: out of sync (regenerate and commit). Exit 77: skipped (no scikit-learn
# 1.2.1 under /usr/bin/python3, or $MW_REFERENCE_PYTHON; the golden values are defined against that
# version).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=${MW_REFERENCE_PYTHON:-/usr/bin/python3}  # Debian's, with python3-sklearn

version=$("$py" -c 'import numpy, scipy, sklearn; print(sklearn.__version__)' 2>/dev/null) || {
  echo "skipped: no sklearn under $py"
  exit 77
}
if [ "$version" != "1.2.1" ]; then
  echo "skipped: scikit-learn $version under $py; the golden data is defined against 1.2.1"
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$py" "$here/gen_metrics.py" --out-dir "$tmp/metrics"
if diff -r "$here/metrics" "$tmp/metrics" >"$tmp/diff.txt"; then
  echo "golden data in sync with gen_metrics.py"
else
  head -n 50 "$tmp/diff.txt"
  echo "tests/golden/metrics differs from what gen_metrics.py writes;"
  echo "regenerate with: $py tests/golden/gen_metrics.py"
  exit 1
fi
