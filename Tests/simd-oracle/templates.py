"""Instruction templates of the Advanced SIMD integer families, for the oracle generator.

Each template is (name, pattern, roles). Patterns read most-significant bit first like the
Swift encoding table: literal bits, or fields `name:width` (Rd Rn Rm default to 5 bits, other
fields to 1). Field values are drawn at random; whether a word is allocated is decided by
llvm-objdump and its behaviour by qemu, never by this file. Roles:
  xd   Rd is a general register (SMOV, UMOV)
  xn   Rn is a general register (DUP (general), INS (general))
  shf  Rm holds shift counts (shift by register): prefer the small-value registers
  tbl  Rm holds table indices: prefer the small-value registers
"""

TEMPLATES = [
    # Advanced SIMD three same (integer).
    ("SHADD/UHADD", "0 Q U 01110 size:2 1 Rm 00000 1 Rn Rd", ""),
    ("SQADD/UQADD (vector)", "0 Q U 01110 size:2 1 Rm 00001 1 Rn Rd", ""),
    ("SRHADD/URHADD", "0 Q U 01110 size:2 1 Rm 00010 1 Rn Rd", ""),
    ("logical (vector)", "0 Q U 01110 size:2 1 Rm 00011 1 Rn Rd", ""),
    ("SHSUB/UHSUB", "0 Q U 01110 size:2 1 Rm 00100 1 Rn Rd", ""),
    ("SQSUB/UQSUB (vector)", "0 Q U 01110 size:2 1 Rm 00101 1 Rn Rd", ""),
    ("CMGT/CMHI (vector)", "0 Q U 01110 size:2 1 Rm 00110 1 Rn Rd", ""),
    ("CMGE/CMHS (vector)", "0 Q U 01110 size:2 1 Rm 00111 1 Rn Rd", ""),
    ("SSHL/USHL (vector)", "0 Q U 01110 size:2 1 Rm 01000 1 Rn Rd", "shf"),
    ("SQSHL/UQSHL (vector, register)", "0 Q U 01110 size:2 1 Rm 01001 1 Rn Rd", "shf"),
    ("SRSHL/URSHL (vector)", "0 Q U 01110 size:2 1 Rm 01010 1 Rn Rd", "shf"),
    ("SQRSHL/UQRSHL (vector)", "0 Q U 01110 size:2 1 Rm 01011 1 Rn Rd", "shf"),
    ("SMAX/UMAX", "0 Q U 01110 size:2 1 Rm 01100 1 Rn Rd", ""),
    ("SMIN/UMIN", "0 Q U 01110 size:2 1 Rm 01101 1 Rn Rd", ""),
    ("SABD/UABD", "0 Q U 01110 size:2 1 Rm 01110 1 Rn Rd", ""),
    ("SABA/UABA", "0 Q U 01110 size:2 1 Rm 01111 1 Rn Rd", ""),
    ("ADD/SUB (vector)", "0 Q U 01110 size:2 1 Rm 10000 1 Rn Rd", ""),
    ("CMTST/CMEQ (vector)", "0 Q U 01110 size:2 1 Rm 10001 1 Rn Rd", ""),
    ("MLA/MLS (vector)", "0 Q U 01110 size:2 1 Rm 10010 1 Rn Rd", ""),
    ("MUL/PMUL", "0 Q U 01110 size:2 1 Rm 10011 1 Rn Rd", ""),
    ("SMAXP/UMAXP", "0 Q U 01110 size:2 1 Rm 10100 1 Rn Rd", ""),
    ("SMINP/UMINP", "0 Q U 01110 size:2 1 Rm 10101 1 Rn Rd", ""),
    ("SQDMULH/SQRDMULH (vector)", "0 Q U 01110 size:2 1 Rm 10110 1 Rn Rd", ""),
    ("ADDP (vector)", "0 Q 0 01110 size:2 1 Rm 10111 1 Rn Rd", ""),
    # Advanced SIMD scalar three same.
    ("SQADD/UQADD (scalar)", "01 U 11110 size:2 1 Rm 00001 1 Rn Rd", ""),
    ("SQSUB/UQSUB (scalar)", "01 U 11110 size:2 1 Rm 00101 1 Rn Rd", ""),
    ("CMGT/CMHI (scalar)", "01 U 11110 11 1 Rm 00110 1 Rn Rd", ""),
    ("CMGE/CMHS (scalar)", "01 U 11110 11 1 Rm 00111 1 Rn Rd", ""),
    ("SSHL/USHL (scalar)", "01 U 11110 11 1 Rm 01000 1 Rn Rd", "shf"),
    ("SQSHL/UQSHL (scalar, register)", "01 U 11110 size:2 1 Rm 01001 1 Rn Rd", "shf"),
    ("SRSHL/URSHL (scalar)", "01 U 11110 11 1 Rm 01010 1 Rn Rd", "shf"),
    ("SQRSHL/UQRSHL (scalar)", "01 U 11110 size:2 1 Rm 01011 1 Rn Rd", "shf"),
    ("ADD/SUB (scalar)", "01 U 11110 11 1 Rm 10000 1 Rn Rd", ""),
    ("CMTST/CMEQ (scalar)", "01 U 11110 11 1 Rm 10001 1 Rn Rd", ""),
    ("SQDMULH/SQRDMULH (scalar)", "01 U 11110 size:2 1 Rm 10110 1 Rn Rd", ""),
    # Advanced SIMD three different.
    ("SADDL/UADDL", "0 Q U 01110 size:2 1 Rm 0000 00 Rn Rd", ""),
    ("SADDW/UADDW", "0 Q U 01110 size:2 1 Rm 0001 00 Rn Rd", ""),
    ("SSUBL/USUBL", "0 Q U 01110 size:2 1 Rm 0010 00 Rn Rd", ""),
    ("SSUBW/USUBW", "0 Q U 01110 size:2 1 Rm 0011 00 Rn Rd", ""),
    ("ADDHN/RADDHN", "0 Q U 01110 size:2 1 Rm 0100 00 Rn Rd", ""),
    ("SABAL/UABAL", "0 Q U 01110 size:2 1 Rm 0101 00 Rn Rd", ""),
    ("SUBHN/RSUBHN", "0 Q U 01110 size:2 1 Rm 0110 00 Rn Rd", ""),
    ("SABDL/UABDL", "0 Q U 01110 size:2 1 Rm 0111 00 Rn Rd", ""),
    ("SMLAL/UMLAL", "0 Q U 01110 size:2 1 Rm 1000 00 Rn Rd", ""),
    ("SQDMLAL (vector)", "0 Q 0 01110 size:2 1 Rm 1001 00 Rn Rd", ""),
    ("SMLSL/UMLSL", "0 Q U 01110 size:2 1 Rm 1010 00 Rn Rd", ""),
    ("SQDMLSL (vector)", "0 Q 0 01110 size:2 1 Rm 1011 00 Rn Rd", ""),
    ("SMULL/UMULL", "0 Q U 01110 size:2 1 Rm 1100 00 Rn Rd", ""),
    ("SQDMULL (vector)", "0 Q 0 01110 size:2 1 Rm 1101 00 Rn Rd", ""),
    ("PMULL (8-bit)", "0 Q 0 01110 00 1 Rm 1110 00 Rn Rd", ""),
    # Advanced SIMD scalar three different.
    ("SQDMLAL/SQDMLSL/SQDMULL (scalar)", "01 0 11110 size:2 1 Rm 1 op:2 1 00 Rn Rd", ""),
    # Advanced SIMD vector x indexed element (integer).
    ("MLA/MLS (by element)", "0 Q 1 01111 size:2 L M vm:4 0 o 00 H 0 Rn Rd", ""),
    ("MUL (by element)", "0 Q 0 01111 size:2 L M vm:4 1000 H 0 Rn Rd", ""),
    ("SMLAL/SMLSL/SMULL... (by element)", "0 Q U 01111 size:2 L M vm:4 o:2 10 H 0 Rn Rd", ""),
    ("SQDMLAL/SQDMLSL/SQDMULL (by element)", "0 Q 0 01111 size:2 L M vm:4 o:2 11 H 0 Rn Rd", ""),
    ("SQDMULH/SQRDMULH (by element)", "0 Q 0 01111 size:2 L M vm:4 110 o H 0 Rn Rd", ""),
    # Advanced SIMD scalar x indexed element.
    ("SQDMLAL/SQDMLSL/SQDMULL (by element, scalar)", "01 0 11111 size:2 L M vm:4 o:2 11 H 0 Rn Rd", ""),
    ("SQDMULH/SQRDMULH (by element, scalar)", "01 0 11111 size:2 L M vm:4 110 o H 0 Rn Rd", ""),
    # Advanced SIMD two-register miscellaneous (integer).
    ("REV64/REV32", "0 Q U 01110 size:2 10000 00000 10 Rn Rd", ""),
    ("REV16", "0 Q 0 01110 00 10000 00001 10 Rn Rd", ""),
    ("SADDLP/UADDLP", "0 Q U 01110 size:2 10000 00010 10 Rn Rd", ""),
    ("SUQADD/USQADD (vector)", "0 Q U 01110 size:2 10000 00011 10 Rn Rd", ""),
    ("CLS/CLZ", "0 Q U 01110 size:2 10000 00100 10 Rn Rd", ""),
    ("CNT/NOT/RBIT", "0 Q U 01110 size:2 10000 00101 10 Rn Rd", ""),
    ("SADALP/UADALP", "0 Q U 01110 size:2 10000 00110 10 Rn Rd", ""),
    ("SQABS/SQNEG (vector)", "0 Q U 01110 size:2 10000 00111 10 Rn Rd", ""),
    ("CMGT/CMGE (zero)", "0 Q U 01110 size:2 10000 01000 10 Rn Rd", ""),
    ("CMEQ/CMLE (zero)", "0 Q U 01110 size:2 10000 01001 10 Rn Rd", ""),
    ("CMLT (zero)", "0 Q 0 01110 size:2 10000 01010 10 Rn Rd", ""),
    ("ABS/NEG (vector)", "0 Q U 01110 size:2 10000 01011 10 Rn Rd", ""),
    ("XTN/SQXTUN", "0 Q U 01110 size:2 10000 10010 10 Rn Rd", ""),
    ("SHLL", "0 Q 1 01110 size:2 10000 10011 10 Rn Rd", ""),
    ("SQXTN/UQXTN", "0 Q U 01110 size:2 10000 10100 10 Rn Rd", ""),
    # Advanced SIMD scalar two-register miscellaneous.
    ("SUQADD/USQADD (scalar)", "01 U 11110 size:2 10000 00011 10 Rn Rd", ""),
    ("SQABS/SQNEG (scalar)", "01 U 11110 size:2 10000 00111 10 Rn Rd", ""),
    ("CMxx zero/ABS/NEG (scalar)", "01 U 11110 11 10000 010 op:2 10 Rn Rd", ""),
    ("SQXTUN (scalar)", "01 1 11110 size:2 10000 10010 10 Rn Rd", ""),
    ("SQXTN/UQXTN (scalar)", "01 U 11110 size:2 10000 10100 10 Rn Rd", ""),
    # Advanced SIMD across lanes (integer) and scalar pairwise.
    ("SADDLV/UADDLV", "0 Q U 01110 size:2 11000 00011 10 Rn Rd", ""),
    ("SMAXV/UMAXV/SMINV/UMINV", "0 Q U 01110 size:2 11000 o 1010 10 Rn Rd", ""),
    ("ADDV", "0 Q 0 01110 size:2 11000 11011 10 Rn Rd", ""),
    ("ADDP (scalar)", "01 0 11110 11 11000 11011 10 Rn Rd", ""),
    # Advanced SIMD shift by immediate (integer opcodes).
    ("SSHR/SSRA/SRSHR/SRSRA (vector)", "0 Q U 011110 immh:4 immb:3 00 o:2 0 1 Rn Rd", ""),
    ("SRI/SHL/SLI (vector)", "0 Q U 011110 immh:4 immb:3 010 o 0 1 Rn Rd", ""),
    ("SQSHLU/SQSHL/UQSHL (vector)", "0 Q U 011110 immh:4 immb:3 011 o 0 1 Rn Rd", ""),
    ("narrowing shifts (vector)", "0 Q U 011110 immh:4 immb:3 100 o:2 1 Rn Rd", ""),
    ("SSHLL/USHLL", "0 Q U 011110 immh:4 immb:3 10100 1 Rn Rd", ""),
    # Advanced SIMD scalar shift by immediate.
    ("SSHR/SSRA/SRSHR/SRSRA (scalar)", "01 U 111110 1 immh:3 immb:3 00 o:2 0 1 Rn Rd", ""),
    ("SRI/SHL/SLI (scalar)", "01 U 111110 1 immh:3 immb:3 010 o 0 1 Rn Rd", ""),
    ("SQSHLU/SQSHL/UQSHL (scalar)", "01 U 111110 immh:4 immb:3 011 o 0 1 Rn Rd", ""),
    ("narrowing shifts (scalar)", "01 U 111110 0 immh:3 immb:3 100 o:2 1 Rn Rd", ""),
    # Advanced SIMD modified immediate (o2 = 0; cmode 1111 is FMOV and drops out).
    ("MOVI/MVNI/ORR/BIC", "0 Q op 0111100000 abc:3 cmode:4 0 1 defgh:5 Rd", ""),
    # Permute, extract, table lookup.
    ("UZP/TRN/ZIP", "0 Q 001110 size:2 0 Rm 0 op:3 10 Rn Rd", ""),
    ("EXT", "0 Q 101110 00 0 Rm 0 imm4:4 0 Rn Rd", ""),
    ("TBL/TBX", "0 Q 001110 00 0 Rm 0 len:2 op 00 Rn Rd", "tbl"),
    # Copy.
    ("DUP (element)", "0 Q 0 01110000 imm5:5 0 0000 1 Rn Rd", ""),
    ("DUP (general)", "0 Q 0 01110000 imm5:5 0 0001 1 Rn Rd", "xn"),
    ("INS (general)", "0 1 0 01110000 imm5:5 0 0011 1 Rn Rd", "xn"),
    ("SMOV/UMOV", "0 Q 0 01110000 imm5:5 0 01 o 1 1 Rn Rd", "xd"),
    ("INS (element)", "0 1 1 01110000 imm5:5 0 imm4:4 1 Rn Rd", ""),
    ("DUP (element, scalar)", "01 0 11110000 imm5:5 0 0000 1 Rn Rd", ""),
]


def parse(pattern):
    """(fixed mask, fixed value, [(field, lo, width)]) of a pattern."""
    mask = value = 0
    fields = []
    pos = 32
    for tok in pattern.split():
        if set(tok) <= {"0", "1"}:
            for ch in tok:
                pos -= 1
                mask |= 1 << pos
                value |= int(ch) << pos
        else:
            name, _, width = tok.partition(":")
            width = int(width) if width else (5 if name in ("Rd", "Rn", "Rm") else 1)
            pos -= width
            fields.append((name, pos, width))
    assert pos == 0, pattern
    return mask, value, fields


# llvm-objdump mnemonics (aliases included) of the instructions these families implement; a word
# llvm prints with another mnemonic (FP, crypto, later extensions) is not executed.
MNEMONICS = set("""
shadd uhadd sqadd uqadd srhadd urhadd and bic orr orn eor bsl bit bif mov mvn shsub uhsub sqsub uqsub
cmgt cmhi cmge cmhs sshl ushl sqshl uqshl srshl urshl sqrshl uqrshl smax umax smin umin sabd uabd
saba uaba add sub cmtst cmeq mla mls mul pmul smaxp umaxp sminp uminp sqdmulh sqrdmulh addp
saddl saddl2 uaddl uaddl2 saddw saddw2 uaddw uaddw2 ssubl ssubl2 usubl usubl2 ssubw ssubw2 usubw usubw2
addhn addhn2 raddhn raddhn2 sabal sabal2 uabal uabal2 subhn subhn2 rsubhn rsubhn2 sabdl sabdl2 uabdl uabdl2
smlal smlal2 umlal umlal2 sqdmlal sqdmlal2 smlsl smlsl2 umlsl umlsl2 sqdmlsl sqdmlsl2 smull smull2
umull umull2 sqdmull sqdmull2 pmull pmull2
rev64 rev32 rev16 saddlp uaddlp suqadd usqadd cls clz cnt not rbit sadalp uadalp sqabs sqneg
cmle cmlt abs neg xtn xtn2 sqxtun sqxtun2 shll shll2 sqxtn sqxtn2 uqxtn uqxtn2
saddlv uaddlv smaxv umaxv sminv uminv addv
sshr ushr ssra usra srshr urshr srsra ursra sri shl sli sqshlu shrn shrn2 rshrn rshrn2 sqshrun sqshrun2
sqrshrun sqrshrun2 sqshrn sqshrn2 uqshrn uqshrn2 sqrshrn sqrshrn2 uqrshrn uqrshrn2 sshll sshll2 ushll ushll2
sxtl sxtl2 uxtl uxtl2
movi mvni uzp1 uzp2 trn1 trn2 zip1 zip2 ext tbl tbx dup ins smov umov
""".split())
