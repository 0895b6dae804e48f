# zsh parameter expansion: defaults, substitution, trimming, case, padding, substrings.
s="Hello, wonderful World"
echo ${s/o/0} ${s//o/0} ${s#*, } ${s%% *} ${s:7:9} ${#s}
echo ${unset_var:-default} ${unset_var:+alt} ${s:+set}
: ${assigned:=now}; echo $assigned
echo ${(U)s} ${(L)s} ${(C)s}
echo ${(l:10::*:)x}${(r:10::-:)y} "[${(l:6:)${:-42}}]"
file=/usr/local/lib/libfoo.so.1.2
echo ${file:t} ${file:h} ${file:r} ${file:e} ${file:t:r}
name=world; echo "Hello ${name}!" 'single $name' "$(echo nested $(echo deep))"
echo {a,b,c}{1,2} {01..05} {z..w}
setopt extendedglob; v=aaabbbccc; echo ${v//(#m)b##/<$MATCH>}
