# zsh subshells, command substitution and exit status: each subshell is a forked process.
x=outer
( x=inner; echo "in subshell: $x" ); echo "after: $x"
y=$(x=sub; echo "$x same-pid-as-parent:$(( $$ == $$ ))")
echo "$y"
( exit 7 ); echo "status $?"
( (( 3 > 2 )) && echo nested-true ) || echo never
out=$( ( echo a; echo b ) ); echo ${(f)out}
f() { local v=$1; ( v=changed; echo "sub $v" ); echo "func $v" }
f kept
for i in 1 2 3; do ( echo "loop $i" ); done
echo "$(( $(echo 6) * $(echo 7) ))"
