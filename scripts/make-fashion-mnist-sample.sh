#!/usr/bin/env bash
# Makes the Fashion-MNIST sample bundled in rampart-core from the full IDX files
# (Debian: apt-get install dataset-fashion-mnist). Takes the first TRAIN training and TEST test
# examples, rewrites the IDX headers with the new counts and gzips without timestamps, so that
# the output is byte-for-byte reproducible.
#   usage: scripts/make-fashion-mnist-sample.sh [SOURCE_DIR] [TRAIN] [TEST]
set -eu  # no pipefail: "zcat | head" ends zcat with SIGPIPE by design
src=${1:-/usr/share/datasets/fashion-mnist}
train=${2:-4000}
test=${3:-2000}
out="$(cd "$(dirname "$0")/.." && pwd)/core/src/main/resources/dev/rampart/core/data/fashion-mnist-sample"
mkdir -p "$out"

be32() { printf "\\x$(printf %02x $(( ($1 >> 24) & 255 )))\\x$(printf %02x $(( ($1 >> 16) & 255 )))\\x$(printf %02x $(( ($1 >> 8) & 255 )))\\x$(printf %02x $(( $1 & 255 )))"; }

cut_idx() { # prefix count
  local prefix=$1 n=$2
  { be32 $((0x803)); be32 "$n"; be32 28; be32 28
    zcat "$src/$prefix-images-idx3-ubyte.gz" | tail -c +17 | head -c $((n * 784)); } \
    | gzip -9n > "$out/$prefix-images-idx3-ubyte.gz"
  { be32 $((0x801)); be32 "$n"
    zcat "$src/$prefix-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$n"; } \
    | gzip -9n > "$out/$prefix-labels-idx1-ubyte.gz"
}
cut_idx train "$train"
cut_idx t10k "$test"
ls -l "$out"
