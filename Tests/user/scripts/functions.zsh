# zsh functions, recursion, return status, traps and local scope.
# expect-exit: 5
fact() { (( $1 <= 1 )) && { echo 1; return }; echo $(( $1 * $(fact $(( $1 - 1 ))) )) }
echo "10! = $(fact 10)"
check() { [[ $1 == <-> ]] && return 0 || return 2 }
check 42; echo "42 -> $?"; check x; echo "x -> $?"
counter() { local -i n=$1; while (( n > 0 )); do echo -n "$n "; (( n-- )); done; echo liftoff }
counter 5
TRAPZERR() { echo "a command failed" }
false
unfunction TRAPZERR
outer() { local v=outer; inner() { echo "inner sees $v" }; inner }
outer
case "banana" in (b*a) echo matched-b-a;; (*) echo other;; esac
setopt extendedglob; [[ abc123 == (#b)([a-z]##)([0-9]##) ]] && echo "groups $match[1] $match[2]"
trap 'echo exiting with $?' EXIT
exit 5
