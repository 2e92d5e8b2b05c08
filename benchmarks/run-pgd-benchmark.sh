#!/usr/bin/env bash
# PGD-20 throughput of Rampart (JMH) and of the PyTorch peer, side by side on this machine, with
# the same batch (256), steps (20) and thread count. Prints both medians and their ratio.
#   usage: benchmarks/run-pgd-benchmark.sh [THREADS] [REPEATS]
# Needs, for the peer only: apt-get install -y python3-torch dataset-fashion-mnist
set -euo pipefail
threads=${1:-2}
repeats=${2:-5}
cd "$(dirname "$0")/.."
peer=../shared/peer/pgd_peer.py
# Debian's PyTorch takes matrix products from libblas.so.3: with only libblas3 installed that is the
# slow reference BLAS. Install libopenblas0-pthread for a fair peer; the BLAS in use is printed below.
out=$(mktemp -d)
export OMP_NUM_THREADS=$threads
# OpenBLAS (ND4J bundles 0.3.19) may not recognise a virtual CPU that names itself generically and
# then falls back to slower kernels; on AVX-512 machines pick the SkylakeX kernels, for both sides.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
echo "threads=$threads OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto} cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

./mvnw -q -B -pl benchmarks -am -DskipTests install
./mvnw -q -B -pl benchmarks exec:exec -Dexec.executable=java \
  -Dexec.args="-cp %classpath org.openjdk.jmh.Main PgdThroughput -i $repeats -rf json -rff $out/jmh.json" \
  | tee "$out/jmh.txt"

echo "peer BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)" | tee -a "$out/peer.txt"
for m in cnn mlp; do
  if [ -x /usr/bin/python3 ] && [ -f "$peer" ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then
    /usr/bin/python3 "$peer" --model $m --batch 256 --steps 20 --threads "$threads" --repeats "$repeats" \
      | tee -a "$out/peer.txt"
  else
    echo "peer not run: needs /usr/bin/python3 with python3-torch and $peer" | tee -a "$out/peer.txt"
  fi
done

echo
echo "== PGD-20, batch 256, $threads threads: image-steps/s (JMH median of $repeats iterations)"
python3 - "$out" <<'PY' 2>/dev/null || echo "(install python3 to print the ratio table; raw results in $out)"
import json, re, statistics, sys
out = sys.argv[1]
peer = {}
for line in open(f"{out}/peer.txt"):
    m = re.search(r"model=(\w+).*image_steps_per_s=(\d+)", line)
    if m: peer[m.group(1)] = float(m.group(2))
for r in json.load(open(f"{out}/jmh.json")):
    name = r["benchmark"].rsplit(".", 1)[1]
    model = r["params"]["model"]
    raw = [v for it in r["primaryMetric"]["rawData"] for v in it]
    med = statistics.median(raw)
    p = peer.get(model)
    ratio = f"{med / p:.2f}x peer ({p:.0f})" if p else "peer n/a"
    print(f"{model:4s} {name:7s} median {med:8.0f}  min {min(raw):8.0f}  max {max(raw):8.0f}  {ratio}")
PY
