#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and AddressSanitizer, then runs one target (or all) on
# its seed corpus. README.md beside this file says what each target checks.
#
#   Tests/Fuzz/run.sh TARGET|all RUNS|SECONDSs [libFuzzer flags...]
#   Tests/Fuzz/run.sh FuzzChangeBundle 10000000     # ten million inputs
#   Tests/Fuzz/run.sh all 15s                       # 15 seconds each (what CI runs)
#   Tests/Fuzz/run.sh --build                       # build only
#
# Exits non-zero if a target crashes, trips AddressSanitizer, breaks a property, times out or
# runs out of memory; the input that did it is kept under $SCRATCH/fuzz-artifacts/TARGET/.
# Environment: FUZZ_CONFIG (release, the default, or debug), FUZZ_SCRATCH (the build folder,
# default Tests/Fuzz/.build-fuzz), FUZZ_KEEP_CORPUS=1 (start from the corpus grown by earlier runs),
# FUZZ_SKIP_BUILD=1 (use the binaries already built, e.g. for runs side by side).
set -euo pipefail
cd "$(dirname "$0")"

TARGETS=(FuzzSyncFrameDecoder FuzzSyncMessage FuzzChangeBatch FuzzChangeBundle FuzzDeviceID)
CONFIG="${FUZZ_CONFIG:-release}"
SCRATCH="${FUZZ_SCRATCH:-.build-fuzz}"

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
    echo "targets: ${TARGETS[*]}" >&2
    exit 2
}

build() {
    local log="$SCRATCH/fuzz-build.log"
    mkdir -p "$SCRATCH"
    echo "fuzz: building ($CONFIG, libFuzzer + AddressSanitizer) into Tests/Fuzz/$SCRATCH"
    local start=$SECONDS
    # SwiftPM passes its sanitizers to swiftc as two flags, `-sanitize=fuzzer -sanitize=address`,
    # in an order that changes from run to run, and the driver hands the compiler only the last
    # one: half the builds had no coverage instrumentation in Swift code. The one flag naming both
    # comes after them and wins; deterministic hashing keeps SwiftPM's order, so that a second
    # build is not a full rebuild. The gold linker warns once per ASan helper symbol: the log
    # keeps everything.
    if ! SWIFT_DETERMINISTIC_HASHING=1 swift build --scratch-path "$SCRATCH" -c "$CONFIG" \
        --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address >"$log" 2>&1; then
        grep -v "Cannot export local symbol" "$log" | tail -40
        echo "fuzz: the build failed (full log: Tests/Fuzz/$log)"
        exit 1
    fi
    echo "fuzz: built in $((SECONDS - start)) s"
}

# run TARGET LIMIT [flags...]: 0 when the run ends cleanly.
run() {
    local target="$1" limit="$2"
    shift 2
    local binary="$SCRATCH/$CONFIG/$target"
    local work="$SCRATCH/fuzz-corpus/$target"
    local artifacts="$SCRATCH/fuzz-artifacts/$target"
    local log="$SCRATCH/fuzz-$target.log"
    local budget
    case "$limit" in
        *s) budget="-max_total_time=${limit%s}" ;;
        *[!0-9]* | "") usage ;;
        *) budget="-runs=$limit" ;;
    esac
    # The frame decoder decodes each input three ways, one of them in chunks of a few bytes:
    # inputs up to 1 KiB (several frames each) keep it near the others' speed.
    local defaults=()
    [ "$target" != FuzzSyncFrameDecoder ] || defaults=(-max_len=1024)
    [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$work"
    mkdir -p "$work" "$artifacts"
    echo "fuzz: $target $budget"
    # New inputs go to the first folder (scratch); the seeds in corpus/ are only read.
    local status=0
    "$binary" "$budget" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${defaults[@]}" "$@" "$work" "corpus/$target" >"$log" 2>&1 || status=$?
    if [ "$status" -eq 0 ] && grep -q "Is the code instrumented for coverage" "$log"; then
        echo "fuzz: $target has no coverage instrumentation (see the build step); the run proves nothing"
        status=1
    fi
    if [ "$status" -eq 0 ]; then
        grep -E "^#[0-9]+[[:space:]]+DONE|^Done|stat::(number_of_executed_units|average_exec_per_sec)" "$log" | sed 's/^/    /'
        return 0
    fi
    tail -60 "$log"
    echo "fuzz: $target FAILED (exit $status); full log: Tests/Fuzz/$log"
    ls "$artifacts" | sed "s|^|fuzz: reproducer: Tests/Fuzz/$artifacts/|"
    echo "fuzz: replay one with: Tests/Fuzz/$binary FILE (keep it under Tests/Fuzz/crashes/$target/)"
    return 1
}

[ $# -ge 1 ] || usage
if [ "$1" = "--build" ]; then
    build
    exit 0
fi
[ $# -ge 2 ] || usage
target="$1" limit="$2"
shift 2
if [ "$target" = all ]; then
    selected=("${TARGETS[@]}")
elif [[ " ${TARGETS[*]} " == *" $target "* ]]; then
    selected=("$target")
else
    usage
fi

[ "${FUZZ_SKIP_BUILD:-0}" = 1 ] || build
passed=0 failed=0
for t in "${selected[@]}"; do
    if run "$t" "$limit" "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
# Worded so that CI's summary of the run stays the test suite's line, not this one.
echo "fuzz: $passed of ${#selected[@]} targets clean, $failed failing"
[ "$failed" -eq 0 ]
