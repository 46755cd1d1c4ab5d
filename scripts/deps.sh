#!/bin/sh
# Install the Debian packages musc needs to build, test and benchmark.
# Idempotent: only missing packages are installed. As root it runs apt-get;
# otherwise it prints the exact command to run and fails if something is missing.
set -e

PKGS="build-essential cmake pkg-config clang libclang-rt-dev \
libjansson-dev zlib1g-dev libcmocka-dev \
libxml2-dev libzip-dev \
libfluidsynth-dev libsndfile1-dev libebur128-dev timgm6mb-soundfont fluid-soundfont-gm fluidsynth \
libcairo2-dev libmicrohttpd-dev libopenblas-dev libsqlite3-dev libomp-dev \
python3-mido python3-numpy abcmidi musescore3"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = "0" ]; then
    echo "deps.sh: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    $cmd >/dev/null
else
    echo "deps.sh: missing packages:$missing" >&2
    echo "deps.sh: run as root: sudo $cmd" >&2
    exit 1
fi
