# zsh pipelines between builtins and functions: each stage is a forked process, joined by pipes.
gen() { local i; for i in {1..5}; do print "item $i"; done }
gen | while read w n; do echo "$n:$w"; done
print -l c a b | sort_lines() { local -a l; while read x; do l+=$x; done; print ${(o)l} }; print -l c a b | sort_lines
echo one two three | read -A parts; echo ${#parts} $parts[2]
count=0; gen | { while read line; do (( count++ )); done; echo "counted $count" }
print "a:b:c" | IFS=: read p q r; echo "$r$q$p"
{ echo first; echo second } | { read one; read two; echo "$two/$one" }
# (head_n drains its input: a reader that quits early races the writer to SIGPIPE, on Linux too.)
gen | head_n() { local n=0 l; while read l; do (( n++ < $1 )) && echo $l; done; true }; gen | head_n 2
echo done ${pipestatus}
