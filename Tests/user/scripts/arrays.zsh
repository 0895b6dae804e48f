# zsh arrays and associative arrays: indexing, slices, flags, sorting, membership.
a=(pear apple fig banana cherry)
echo ${#a} $a[1] $a[-1] ${a[2,3]}
echo ${(o)a}
echo ${(O)a}
echo ${(j:/:)a}
echo ${a[(i)fig]} ${a[(r)b*]}
a+=(date); a[2]=APPLE; echo $a
echo ${a:#f*}
echo ${(U)a[3]} ${(L)a[2]}
typeset -A ages; ages=(ann 31 bob 27 cy 45)
for k in ${(ko)ages}; do echo "$k=$ages[$k]"; done
echo ${(k)#ages} ${+ages[bob]} ${+ages[dan]}
sentence="the quick brown fox"; words=(${(s: :)sentence}); echo ${#words} ${words[3]}
csv="a,b,a,c,b"; parts=(${(s:,:)csv}); echo ${(u)parts}
