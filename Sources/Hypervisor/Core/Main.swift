import HVArch

/// Boot CPU: MMU, heap, console, host device tree, GIC, VMs, secondaries,
/// then the scheduler loop like every other CPU.
@_cdecl("hv_primary_main")
func primaryMain(dtb: UInt64) -> Never {
    guard Arch.currentEL == 2 else {
        Console.line("minos: entered at EL\(Arch.currentEL), need EL2; halting")
        haltCPU()
    }
    let pool = Arch.pageRegion
    EL2MMU.enable(table: pool.lowerBound)   // first pool page: the EL2 table
    hv_heap_init()
    Console.line("")
    log("Minos hypervisor (Embedded Swift) on board \(board.name), entered at EL2")

    guard let tree = DeviceTree(address: dtb) else {
        log("no valid device tree at \(hex(dtb)) (x0 from the boot loader); halting")
        haltCPU()
    }
    let hyp = Hypervisor(tree: tree, pages: (pool.lowerBound + Granule.page)..<pool.upperBound)
    hypervisor = hyp
    hyp.bootPrimary()
}

/// Secondary CPUs arrive here from PSCI CPU_ON with their index.
@_cdecl("hv_secondary_main")
func secondaryMain(index: UInt64) -> Never {
    EL2MMU.enableSecondary(table: Arch.pageRegion.lowerBound)
    guard let hyp = hypervisor else { haltCPU() }
    hyp.bootSecondary(index: Int(index))
}

/// Set once by the boot CPU before any secondary starts.
nonisolated(unsafe) var hypervisor: Hypervisor? = nil
