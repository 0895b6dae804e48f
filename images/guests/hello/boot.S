// Entry, stack and board facts for the "hello" guest.
// Board facts arrive as -DUART_BASE=<addr> at assemble time, so the Swift
// object is the same for every board and only this file is rebuilt per board.

#ifndef UART_BASE
#error "UART_BASE must be defined (-DUART_BASE=0x...)"
#endif

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    SINGLE_CPU_START stack_top, hello_main                  // never returns
    // fall through

    .text
    // Wait forever; entered by secondaries, and from Swift as `halt() -> Never`.
    .global halt
halt:
    wfi
    b       halt

    // CurrentEL.EL (bits [3:2]) as 0...3.
    .global read_current_el
read_current_el:
    mrs     x0, CurrentEL
    ubfx    x0, x0, #2, #2
    ret

    // Physical base of the board's PL011.
    .global board_uart_base
board_uart_base:
    ldr     x0, =UART_BASE              // a single MOVZ for the usual bases
    ret

    // PSCI calls (SMC Calling Convention): function id in w0, result in x0.
    .global psci_smc
psci_smc:
    smc     #0
    ret

    .global psci_hvc
psci_hvc:
    hvc     #0
    ret

    .section .bss.stack, "aw", %nobits
    .balign 16
stack_bottom:
    .space  4096
stack_top:
