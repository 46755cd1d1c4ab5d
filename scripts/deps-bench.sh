#!/bin/sh
# Packages only the benchmarks need (not the library or its tests):
# PyTorch for bench/nn.sh and bench/mmt_train.sh. Idempotent; run as root.
set -e
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    apt-get install -y python3-torch
fi
