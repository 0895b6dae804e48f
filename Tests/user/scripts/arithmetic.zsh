# zsh arithmetic: integer and floating point, bases, bit operations, ternaries, loops.
integer i=0 sum=0
for (( i = 1; i <= 100; i++ )); do (( sum += i * i )); done
echo "sum of squares $sum"
echo $(( 2 ** 40 )) $(( -7 / 2 )) $(( -7 % 3 )) $(( 7.0 / 2 )) $(( 1e3 + 0.5 ))
echo $(( 16#ff )) $(( 2#101101 )) $(( [#16] 48879 )) $(( [#2] 10 ))
echo $(( 0xF0 & 0x3C )) $(( 0xF0 | 0x0F )) $(( 0xF0 ^ 0xFF )) $(( 1 << 20 )) $(( ~0 ))
x=17; echo $(( x > 10 ? x - 10 : x + 10 ))
float f=3.25; printf '%.3f %e\n' $(( f * f )) $(( f / 3 ))
echo $(( 9223372036854775807 + 0 ))
n=30; a=0; b=1; while (( n-- > 0 )); do (( t = a + b, a = b, b = t )); done; echo "fib $a"
