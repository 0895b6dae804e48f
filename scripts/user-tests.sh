#!/usr/bin/env bash
# EL0 Linux programs under `sim user` next to qemu-aarch64 (issue M2.10): Tests/user/*.c and *.cc,
# one feature each (threads, futexes, signals, memory protection, fork/execve, ...), built static
# with Debian's cross compilers into BUILD/user-tests/ (only when the source is newer), each run
# under `qemu-aarch64 -cpu cortex-a53` (the oracle) and under `SIM user` with the same arguments,
# stdin, environment (env -i with a fixed small one) and working directory path, 60 s each; stdout,
# stderr and exit status must be byte-identical. One unit per program (scripts/units.sh); programs
# are built in the listing pass or before a whole run.
# Usage: user-tests.sh SIM BUILD_DIR      Ends with "user-tests: N passed, M failed".
#
# Per program NAME (Tests/user/NAME.c or NAME.cc):
#   NAME.stdin         fed on stdin (otherwise /dev/null)
#   // args: WORDS     a line in the source: its arguments (shell words)
#   // expect-exit: N  a line in the source (# expect-exit: N in a script): the exit status qemu must give (default 0), so a
#                      broken oracle run cannot pass as "both failed alike"
#   NAME.qemu-fix      sed script applied to QEMU's stdout before comparing: corrections for QEMU
#                      7.2 bugs, each rule saying which (kept to the lines where Linux differs)
# execve of an AArch64 program needs binfmt_misc under qemu-user. Without a host-wide qemu-aarch64
# entry, both emulators run in a private user+mount namespace (Linux >= 6.7) where qemu's gets one
# (sim's does not: it must exec guests itself); where neither exists (Debian 12's own kernel),
# programs that execve are compared with the same source built for the host and run natively.
#   USER_TESTS_QEMU_RUNS=N  run QEMU N times and require the same result every time (flakiness check).
set -uo pipefail
SIM=$(realpath "$1"); mkdir -p "$2"; BUILD=$(realpath "$2")
HERE=$(cd "$(dirname "$0")/.." && pwd)
SRC=$HERE/Tests/user
OUT=$BUILD/user-tests
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
source "$HERE/scripts/units.sh"
pass=0; fail=0
ok()  { pass=$((pass+1)); echo "PASS user-$1"; }
bad() { fail=$((fail+1)); echo "FAIL user-$1: $2"; }
ENVIRONMENT=(PATH=/usr/bin:/bin HOME=/ LANG=C LC_ALL=C TZ=UTC USER=test)
TIMEOUT=${TIMEOUT:-60}

# Programs, then the shell scripts (Tests/user/scripts/NAME.zsh or .sash, unit zsh-NAME or
# sash-NAME) that Debian's zsh-static and sash (images/cache, from make images) run.
CACHE=$HERE/images/cache
names="$(cd "$SRC" && ls *.c *.cc 2>/dev/null | sed -E 's/\.(c|cc)$//' | sort)
$(cd "$SRC/scripts" 2>/dev/null && ls *.zsh *.sash 2>/dev/null | sed -E 's/^(.*)\.(zsh|sash)$/\2-\1/' | sort)"
source_of() {
  case $1 in
    zsh-*) echo "$SRC/scripts/${1#zsh-}.zsh" ;;
    sash-*) echo "$SRC/scripts/${1#sash-}.sash" ;;
    *) if [ -f "$SRC/$1.cc" ]; then echo "$SRC/$1.cc"; else echo "$SRC/$1.c"; fi ;;
  esac
}
# The program a unit runs, and the arguments before its own.
program_of() {
  case $1 in
    zsh-*) echo "$CACHE/zsh" ;;
    sash-*) echo "$CACHE/sash" ;;
    *) echo "$OUT/$1" ;;
  esac
}

# build NAME: compiles the program when its source is newer than the binary.
build() {
  local src; src=$(source_of "$1")
  local cc=aarch64-linux-gnu-gcc pkg=gcc-aarch64-linux-gnu
  [[ $src == *.cc ]] && cc=aarch64-linux-gnu-g++ pkg=g++-aarch64-linux-gnu
  [[ $1 == zsh-* || $1 == sash-* ]] && return 0
  [ "$src" -nt "$OUT/$1" ] || return 0
  if ! command -v $cc >/dev/null; then bad "$1" "$cc not found (Debian package $pkg; run make setup)"; return 1; fi
  if ! $cc -static -O2 -Wall -pthread -o "$OUT/$1.tmp" "$src" 2>"$OUT/$1.build.log"; then
    bad "$1" "does not compile: $(grep -m1 error "$OUT/$1.build.log")"; return 1
  fi
  mv "$OUT/$1.tmp" "$OUT/$1"
}
if [ -z "${REGRESS_PREPARED:-}" ]; then
  mkdir -p "$OUT"
  for n in $names; do build "$n"; done
fi

# How qemu-aarch64 gets to run the AArch64 programs its guests execve: "host" (a host-wide
# binfmt_misc entry), "namespace" (a private one), or "none" (execve of a guest program fails).
# The private entry runs qemu-aarch64 itself (with its default CPU): a wrapper script would change
# the environment the exec'd program sees.
NAMESPACE=(unshare --user --map-root-user --mount bash -c '
  if [ "$1" = qemu ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || exit 125
    printf "%s" ":qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:$(command -v qemu-aarch64):" \
      >/proc/sys/fs/binfmt_misc/register || exit 125
  fi
  shift; exec "$@"' _)
exec_mode=${USER_TESTS_EXEC_MODE:-}    # host, namespace or none: found below unless given
find_exec_mode() {
  [ -n "$exec_mode" ] && return
  if grep -qs '^interpreter .*qemu-aarch64' /proc/sys/fs/binfmt_misc/qemu-aarch64 \
     && grep -qs '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64; then exec_mode=host
  elif "${NAMESPACE[@]}" qemu true 2>/dev/null; then exec_mode=namespace
  else exec_mode=none; fi
}

# run NAME WHO TAG: one run of the program under qemu or sim into $T/TAG.{out,err,rc}, in a fresh
# working directory at the same path for every run; in the namespace (sim's without binfmt_misc)
# when exec_mode is "namespace".
run() {
  local name=$1 who=$2 tag=$3 src; src=$(source_of "$name")
  local input=/dev/null args=()
  [ -f "$SRC/$name.stdin" ] && input=$SRC/$name.stdin
  local line; line=$(sed -n 's|^// args: ||p' "$src" | head -1)
  [ -n "$line" ] && eval "args=($line)"
  local prog; prog=$(program_of "$name")
  [[ $name == zsh-* || $name == sash-* ]] && args=(-f "$src" "${args[@]}")
  local cmd=("$SIM" user "$prog")
  [ "$who" = qemu ] && cmd=(qemu-aarch64 -cpu cortex-a53 "$prog")
  [ "$who" = native ] && cmd=("$OUT/$name.native")
  cmd=(env -i "${ENVIRONMENT[@]}" timeout -k 5 "$TIMEOUT" "${cmd[@]}" "${args[@]}")
  [ "$exec_mode" = namespace ] && cmd=("${NAMESPACE[@]}" "$who" "${cmd[@]}")
  rm -rf "$T/cwd"; mkdir -p "$T/cwd"
  # The subshell waits for the program, so the shell's "Terminated" notes go to /dev/null.
  (cd "$T/cwd" && { "${cmd[@]}" <"$input" >"$T/$tag.out" 2>"$T/$tag.err"; echo $? >"$T/$tag.rc"; } 2>/dev/null)
}

# first_difference A B: "line N: qemu: ... | sim: ..." for the first differing line of two files.
first_difference() {
  python3 - "$1" "$2" <<'EOF'
import sys
def lines(path):
    data = open(path, "rb").read().decode("utf-8", "replace")
    return data.split("\n")[:-1] if data.endswith("\n") or not data else data.split("\n")
a, b = lines(sys.argv[1]), lines(sys.argv[2])
show = lambda s: "(end)" if s is None else repr(s)[1:-1][:160]
for i in range(max(len(a), len(b))):
    x = a[i] if i < len(a) else None
    y = b[i] if i < len(b) else None
    if x != y:
        print(f"line {i + 1}: qemu: {show(x)} | sim: {show(y)}")
        break
else:
    print("only in the newline at the end")
EOF
}

# An exit status, saying when it is timeout's (124: SIGTERM after TIMEOUT s worked; 137: SIGKILL 5 s later).
rc_text() { case $1 in 124|137) echo "$1 (timed out after ${TIMEOUT} s)";; *) echo "$1";; esac; }

for name in $names; do
  unit "$name" || continue
  if [ ! -x "$(program_of "$name")" ]; then bad "$name" "not built or fetched ($(program_of "$name"); make images fetches the shells)"; continue; fi
  find_exec_mode
  srcfile=$(source_of "$name")
  want=$(sed -nE 's%^(//|#) expect-exit: %%p' "$srcfile" | head -1); want=${want:-0}
  # Without a way for qemu to execve guests, a program that does is checked against the host's
  # own Linux instead: the same source built natively (clang) and run the same way.
  oracle=qemu
  if [ "$exec_mode" = none ] && grep -qE '\<(execve|posix_spawn)\>' "$srcfile"; then
    oracle=native
    if [ "$srcfile" -nt "$OUT/$name.native" ] && ! clang -O2 -Wall -pthread -o "$OUT/$name.native" "$srcfile" 2>"$OUT/$name.native.log"; then
      bad "$name" "no oracle: qemu-aarch64 cannot execve AArch64 programs here, and the native build failed: $(grep -m1 error "$OUT/$name.native.log")"
      continue
    fi
  fi

  # The oracle, USER_TESTS_QEMU_RUNS times; its corrections (NAME.qemu-fix) applied to stdout.
  flaky=
  for i in $(seq 1 "${USER_TESTS_QEMU_RUNS:-1}"); do
    run "$name" "$oracle" q
    if [ "$i" = 1 ]; then cp "$T/q.out" "$T/q1.out"; cp "$T/q.err" "$T/q1.err"; cp "$T/q.rc" "$T/q1.rc"
    elif ! cmp -s "$T/q.out" "$T/q1.out" || ! cmp -s "$T/q.err" "$T/q1.err" || ! cmp -s "$T/q.rc" "$T/q1.rc"; then
      flaky="run $i: $(first_difference "$T/q1.out" "$T/q.out")"; break
    fi
  done
  if [ -n "$flaky" ]; then bad "$name" "qemu-aarch64 (the oracle) gives different results: $flaky"; continue; fi
  if [ "$(cat "$T/q.rc")" != "$want" ]; then
    bad "$name" "qemu-aarch64 (the oracle) exited $(rc_text "$(cat "$T/q.rc")"), the program expects $want: $(head -c 200 "$T/q.err" | tr '\n' ' ')"
    continue
  fi
  fixed=
  if [ -f "$SRC/$name.qemu-fix" ]; then
    sed -f "$SRC/$name.qemu-fix" "$T/q.out" >"$T/q.fixed"
    cmp -s "$T/q.out" "$T/q.fixed" || fixed=" (QEMU's output corrected by $name.qemu-fix)"
    mv "$T/q.fixed" "$T/q.out"
  fi

  run "$name" sim s
  qrc=$(cat "$T/q.rc"); simrc=$(cat "$T/s.rc")
  if cmp -s "$T/q.out" "$T/s.out" && cmp -s "$T/q.err" "$T/s.err" && [ "$qrc" = "$simrc" ]; then
    [ "$oracle" = native ] && fixed="$fixed (oracle: the host's Linux, natively built: qemu cannot execve guests here)"
    ok "$name$fixed"; continue
  fi
  if ! cmp -s "$T/q.out" "$T/s.out"; then detail="stdout $(first_difference "$T/q.out" "$T/s.out")"
  elif ! cmp -s "$T/q.err" "$T/s.err"; then detail="stderr $(first_difference "$T/q.err" "$T/s.err")"
  else detail="exit status: qemu $(rc_text "$qrc"), sim $(rc_text "$simrc")"; fi
  [ "$qrc" != "$simrc" ] && [[ $detail != exit* ]] && detail="$detail; exit status qemu $qrc, sim $(rc_text "$simrc")"
  bad "$name" "$detail"
  # Context for the report: the start of the stdout diff and of sim's stderr.
  diff "$T/q.out" "$T/s.out" >"$T/diff"
  { grep '^<' "$T/diff" | head -3; grep '^>' "$T/diff" | head -3; } | sed 's/^</    qemu stdout:/; s/^>/    sim stdout: /'
  ! cmp -s "$T/q.err" "$T/s.err" && head -4 "$T/s.err" | sed 's/^/    sim stderr: /'
done

# Determinism: threads, futex waits with timeouts and signals scheduled on simulated time give
# the same output and the same instruction count on every run.
for name in threads futex signals alarm; do
  unit "deterministic-$name" || continue
  counts=()
  for i in 1 2 3; do
    (cd "$T" && env -i "${ENVIRONMENT[@]}" timeout -k 5 "$TIMEOUT" "$SIM" user --stats "$OUT/$name" >"$T/d$i.out" 2>"$T/d$i.err" </dev/null)
    counts+=("$(grep -oE '^sim user: [0-9]+ instructions' "$T/d$i.err")")
  done
  if [ -n "${counts[0]}" ] && [ "${counts[0]}" = "${counts[1]}" ] && [ "${counts[1]}" = "${counts[2]}" ] \
     && cmp -s "$T/d1.out" "$T/d2.out" && cmp -s "$T/d2.out" "$T/d3.out"; then
    ok "deterministic-$name (${counts[0]#sim user: }, 3 runs)"
  else
    bad "deterministic-$name" "runs differ: ${counts[*]}"
  fi
done

echo "user-tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
