#!/usr/bin/env bash
# What the tests need: from Debian, Chromium, driven by playwright-core (never a downloaded browser build);
# its SwiftShader gives headless WebGPU for the WGSL kernel and WebGPU inference tests.
# Installs it when missing; needs root for that (as on CI and the dev machines).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "ensureTestDeps: $CHROMIUM is missing and this user cannot apt-get install it; install Debian's chromium" >&2
    exit 1
  fi
  echo "ensureTestDeps: installing Debian's chromium…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi

# The independent writers of the vector-file fixtures: NumPy (.npy) and pyarrow (Arrow IPC, Feather,
# parquet); and of the safetensors checkpoints of ../shared/models (its tools/st_checkpoint_from_onnx.py
# needs numpy, onnx and safetensors). Where pip cannot install them, those tests skip and say why.
pip_install() {
  python3 -m pip install --quiet --disable-pip-version-check --retries 0 --timeout 15 "$@" >/dev/null 2>&1
}
if command -v python3 >/dev/null 2>&1; then
  if ! python3 -c 'import pyarrow' >/dev/null 2>&1; then
    pip_install pyarrow || echo "ensureTestDeps: pyarrow could not be installed; the Arrow/parquet reader tests will be skipped" >&2
  fi
  # bm25s and PyStemmer: the BM25 tests compare tokens, stems and scores with the reference implementation.
  if ! python3 -c 'import bm25s, Stemmer' >/dev/null 2>&1; then
    pip_install bm25s PyStemmer || echo "ensureTestDeps: bm25s/PyStemmer could not be installed; the live BM25 comparisons will be skipped" >&2
  fi
  if ! python3 -c 'import numpy, onnx, safetensors' >/dev/null 2>&1; then
    pip_install numpy onnx safetensors \
      || echo "ensureTestDeps: numpy/onnx/safetensors could not be installed; the tests of safetensors checkpoints made from ../shared/models will be skipped" >&2
  fi
fi
