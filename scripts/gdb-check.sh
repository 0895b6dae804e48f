#!/usr/bin/env bash
# gdb against `sim --gdb` (M2.6): Debian's gdb-multiarch in batch mode attaches to the 'mixed'
# hypervisor scenario on fvp started halted, breaks on the hypervisor's exit handler (a named
# function of minos.elf), reads EL2 state, steps one instruction, watches the hypervisor's console
# lock for a write then for a read, switches to the second core, then detaches; the run's console log must equal a run
# without gdb, line for line. Prints PASS/FAIL lines; exit 1 on a failure.
# Usage: scripts/gdb-check.sh SIM BUILD
set -uo pipefail
SIM=$(realpath "${1:?usage: gdb-check.sh SIM BUILD}")
BUILD=$(realpath -m "${2:?usage: gdb-check.sh SIM BUILD}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/scenario-lib.sh"
WORK=$BUILD/gdb-check
mkdir -p "$WORK"
fail=0
ok() { echo "PASS $1"; }
bad() { echo "FAIL $1: $2"; fail=1; }

if [ -z "${REGRESS_PREPARED:-}" ]; then
  scenario_build || { echo "FAIL gdb: the hypervisor does not build"; exit 1; }
fi
scenario_prepare mixed sim-fvp "$WORK/mixed" || { echo "FAIL gdb: the scenario does not prepare"; exit 1; }
ELF=$BUILD/fvp/minos.elf
NM=$(dirname "$(command -v swiftc)")/llvm-nm
handler=$("$NM" "$ELF" | awk '$3 ~ /^\$e5Minos10HypervisorC10handleExit/ { print $3; exit }')
lock=$("$NM" "$ELF" | awk '$3 ~ /^\$e5Minos11consoleLockAA8SpinlockVvp$/ { print $1; exit }')
[ -n "$handler" ] && [ -n "$lock" ] || { echo "FAIL gdb: minos.elf has no handleExit or consoleLock symbol"; exit 1; }

echo "${RUN_CMD[*]}" >"$WORK/command"
timeout 600 "${RUN_CMD[@]}" </dev/null >"$WORK/plain.log" 2>"$WORK/plain.err"

rm -f "$WORK/gdb.err"
timeout 600 "${RUN_CMD[@]}" --gdb tcp::0 --gdb-wait </dev/null >"$WORK/debugged.log" 2>"$WORK/sim.err" &
sim=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^sim: gdb: listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/sim.err")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { kill $sim; echo "FAIL gdb: sim did not say where it listens: $(head -2 "$WORK/sim.err")"; exit 1; }
cat >"$WORK/commands.gdb" <<GDB
set pagination off
set confirm off
file $ELF
target remote 127.0.0.1:$port
break '$handler'
continue
echo ==break\n
info registers pc CurrentEL HCR_EL2 SCTLR_EL2 VBAR_EL2
echo ==stepi\n
stepi
info registers pc
delete
echo ==watch\n
set \$word = *(unsigned long *)0x$lock
watch *(unsigned int *)\$word
continue
info registers pc
delete
echo ==rwatch\n
rwatch *(unsigned int *)\$word
continue
info registers pc
delete
echo ==threads\n
info threads
thread 2
info registers pc
echo ==detach\n
detach
GDB
timeout 300 gdb-multiarch -batch -nx -x "$WORK/commands.gdb" >"$WORK/gdb.out" 2>&1
wait $sim
out=$WORK/gdb.out
reg() { awk -v s="==$1" -v r="$2" '$0 == s { on = 1; next } /^==/ { on = 0 } on && $1 == r { print $2; exit }' "$out"; }

# gdb puts the breakpoint after the function's prologue: where it says it did.
entry=$(sed -n 's/^Breakpoint 1 at \(0x[0-9a-f]*\).*/\1/p' "$out" | head -1)
if [ -n "$entry" ] && grep -q "hit Breakpoint 1, 0x0*${entry#0x} in $handler" "$out"; then ok "gdb-breakpoint-on-named-function"
else bad "gdb-breakpoint-on-named-function" "$(grep -m1 -i 'breakpoint' "$out")"; fi
if [ "$(reg break CurrentEL)" = 0x8 ] && [ "$(reg break pc)" = "$entry" ] && [ -n "$(reg break HCR_EL2)" ]; then ok "gdb-registers-show-el2"
else bad "gdb-registers-show-el2" "pc $(reg break pc), CurrentEL $(reg break CurrentEL), HCR_EL2 $(reg break HCR_EL2)"; fi
if [ "$(reg stepi pc)" = "$(printf '0x%x' $((entry + 4)))" ]; then ok "gdb-stepi-one-instruction"
else bad "gdb-stepi-one-instruction" "pc after stepi: $(reg stepi pc) (breakpoint at $entry)"; fi
if grep -q "^Hardware watchpoint 2: \*(unsigned int \*)\$word" "$out" && grep -q "^New value = " "$out"; then ok "gdb-watchpoint-fires"
else bad "gdb-watchpoint-fires" "$(grep -m2 -i -A3 'watchpoint 2' "$out" | tr '\n' ' ')"; fi
if grep -q "^Hardware read watchpoint 3: \*(unsigned int \*)\$word" "$out" && grep -q "^Value = " "$out" && [ -n "$(reg rwatch pc)" ]; then ok "gdb-read-watchpoint-fires"
else bad "gdb-read-watchpoint-fires" "$(grep -m2 -i -A3 'watchpoint 3' "$out" | tr '\n' ' ')"; fi
if grep -q '^\[Switching to thread 2 (Thread 2)\]' "$out" && [ -n "$(reg threads pc)" ] && grep -q 'Thread 4 (cpu3' "$out"; then ok "gdb-threads-are-cores"
else bad "gdb-threads-are-cores" "$(sed -n '/^==threads/,/^==detach/p' "$out" | head -8 | tr '\n' ' ')"; fi
# The summary without host time: outcome, instructions, simulated seconds.
summary() { sed -n 's/^\(sim: .*simulated\), .* s host.*/\1/p' "$1"; }
if grep -q "^\[Inferior 1 (Remote target) detached\]" "$out" && [ -s "$WORK/plain.log" ] && cmp -s "$WORK/plain.log" "$WORK/debugged.log" \
   && [ -n "$(summary "$WORK/plain.err")" ] && [ "$(summary "$WORK/plain.err")" = "$(summary "$WORK/sim.err")" ]; then
  ok "gdb-run-unchanged ($(wc -l <"$WORK/plain.log") console lines and '$(summary "$WORK/plain.err")' with and without gdb)"
else bad "gdb-run-unchanged" "$(diff "$WORK/plain.log" "$WORK/debugged.log" | head -5 | tr '\n' ' ') $(summary "$WORK/plain.err") / $(summary "$WORK/sim.err") (see $out)"; fi
exit $fail
