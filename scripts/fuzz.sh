#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang) into ./build-asan, the instrumented tree it shares
# with scripts/run-sanitized-tests.sh (scripts/configure-asan.sh), and runs each one for a while.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      SECONDS per target (default 30); all targets
#                                              when none is named
#
# Each target first re-runs the inputs of fuzz/regressions/<target>/ (crashes and timeouts found before),
# then fuzzes from fuzz/corpus/<target>/ (seeds from real traffic) plus what earlier runs found
# (build-asan/corpus/<target>/, kept between runs). Prints per target the executions, the
# coverage (cov: edges, ft: features), the corpus size and the crashes; a crashing input is
# saved in build-asan/artifacts/<target>/. Exits non-zero when any target crashed.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
all_targets=(frame deflate http http2 engineio parser json msgpack msgpack_parser legacy09 redis
             cluster)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
build=build-asan

# The longest input worth trying per target: a few frames, a few requests, a payload.
declare -A max_len=([frame]=4096 [deflate]=8192 [http]=8192 [http2]=8192 [engineio]=2048 [parser]=4096 [json]=4096
                    [msgpack]=2048 [msgpack_parser]=2048 [legacy09]=2048 [redis]=4096
                    [cluster]=4096)

scripts/configure-asan.sh || exit 2
if ! grep -q '^SOCKETIO_BUILD_FUZZERS:BOOL=ON' "$build/CMakeCache.txt"; then
    echo "fuzz.sh: $build has no fuzz targets: it needs clang (scripts/install-deps.sh installs" \
         "it); remove $build to configure it again" >&2
    exit 2
fi
# fuzz_redis and fuzz_cluster exist only where hiredis was found (SOCKETIO_REDIS).
if ! grep -q '^SOCKETIO_REDIS:BOOL=ON' "$build/CMakeCache.txt"; then
    kept=()
    for t in "${targets[@]}"; do
        if [ "$t" = redis ] || [ "$t" = cluster ]; then
            echo "fuzz.sh: fuzz_$t skipped (built without SOCKETIO_REDIS)" >&2
        else
            kept+=("$t")
        fi
    done
    targets=("${kept[@]}")
fi
# fuzz_http2 exists only where nghttp2 was found (SOCKETIO_HTTP2).
if ! grep -q '^SOCKETIO_HTTP2:BOOL=ON' "$build/CMakeCache.txt"; then
    kept=()
    for t in "${targets[@]}"; do
        if [ "$t" = http2 ]; then
            echo "fuzz.sh: fuzz_$t skipped (built without SOCKETIO_HTTP2)" >&2
        else
            kept+=("$t")
        fi
    done
    targets=("${kept[@]}")
fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" || exit 2

# Leaks are checked (libFuzzer's own check after each input); undefined behaviour aborts
# (the build uses -fno-sanitize-recover); reports are symbolized.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=offscreen

status=0
summary=()
for t in "${targets[@]}"; do
    exe="$build/fuzz/fuzz_$t"
    corpus="$build/corpus/$t"
    artifacts="$build/artifacts/$t"
    log="$build/logs/$t.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    dict=fuzz/dict/$t.dict
    [ -f "$dict" ] || dict=fuzz/dict/${t%%_*}.dict

    regressions=(fuzz/regressions/"$t"/*)
    if [ -e "${regressions[0]}" ]; then
        if ! "$exe" -timeout=10 "${regressions[@]}" >"$log.regressions" 2>&1; then
            echo "fuzz_$t: a regression input crashes again:" >&2
            tail -n 30 "$log.regressions" >&2
            summary+=("$(printf '%-15s REGRESSION (see %s)' "$t" "$log.regressions")")
            status=1
            continue
        fi
    fi

    "$exe" "$corpus" fuzz/corpus/"$t" -dict="$dict" -max_len="${max_len[$t]:-4096}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1
    rc=$?
    done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|NEW|REDUCE|pulse)' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$done_line")
    if [ $rc -ne 0 ]; then
        status=1
        echo "fuzz_$t failed (exit $rc):" >&2
        grep -E 'ERROR|FUZZ_CHECK|runtime error|SUMMARY|Test unit written|^ +#[0-9]+ ' "$log" \
            | head -n 40 >&2
    fi
    summary+=("$(printf '%-15s execs %-10s cov %-6s ft %-7s corpus %-12s %s' "$t" "${execs:-?}" \
        "${cov:-?}" "${ft:-?}" "${corp:-?}" "$([ $rc -eq 0 ] && echo ok || echo "CRASH (exit $rc)")")")
done

echo "fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit $status
