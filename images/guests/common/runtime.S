// Small helpers every test guest that lists common/runtime.S shares: halting, the current EL,
// the board facts the Makefile passes (-DUART_BASE, -DGICD_BASE, -DGICR_BASE), PSCI calls and
// the memset the compiler may call. Leaf functions, no stack.
    .text
    // Wait forever; entered by secondaries, and from Swift as `halt() -> Never`.
    .global halt
halt:
    wfi
    b       halt

    // CurrentEL.EL (bits [3:2]) as 0...3. UNDEFINED at EL0.
    .global read_current_el
read_current_el:
    mrs     x0, CurrentEL
    ubfx    x0, x0, #2, #2
    ret

    .global board_uart_base
board_uart_base:
    ldr     x0, =UART_BASE
    ret
    .global board_gicd_base
board_gicd_base:
    ldr     x0, =GICD_BASE
    ret
    .global board_gicr_base
board_gicr_base:
    ldr     x0, =GICR_BASE
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

    // Fill memory: memset(dst, byte, count) -> dst; the compiler may emit calls.
    .global memset
memset:
    mov     x3, x0
    cbz     x2, 2f
1:  strb    w1, [x3], #1
    subs    x2, x2, #1
    b.ne    1b
2:  ret
