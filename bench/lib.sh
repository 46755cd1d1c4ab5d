# Shell helpers for the bench scripts; source it after setting $root (the
# source tree) and $build (the build folder).

# bench_compile NAME [FLAGS...]: compiles bench/NAME.c against the static
# library (and the packages its pkg-config file names) into $build/NAME.
bench_compile() {
    bench_name=$1
    shift
    if [ ! -f "$build/libmusc.a" ]; then
        echo "bench: $build/libmusc.a not found; run make first" >&2
        exit 1
    fi
    bench_deps=$(sed -n 's/^Requires.private: //p' "$build/musc.pc")
    ${CC:-cc} -O2 -std=c17 -Wall -I"$root/include" "$root/bench/$bench_name.c" \
        "$build/libmusc.a" $(pkg-config --libs $bench_deps) "$@" -lm -lpthread \
        -o "$build/$bench_name"
}

# bench_pop909_files DATA: prints the paths of the POP909 songs under DATA
# (the first $LIMIT of them when LIMIT is set); fails when there are none.
bench_pop909_files() {
    bench_files=$(ls "$1"/pop909/POP909/*/[0-9][0-9][0-9].mid 2>/dev/null | head -n "${LIMIT:-100000}")
    if [ -z "$bench_files" ]; then
        echo "bench: no POP909 files under $1/pop909/POP909" >&2
        exit 1
    fi
    echo "$bench_files"
}
