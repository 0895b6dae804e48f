import Foundation
import Devices

/// What to build: a board, its CPU count and memory, and the EL payloads start in.
public struct MachineConfig {
    public var board: BoardSpec
    public var cpus: Int
    public var memory: UInt64
    public var entryEL: Int
    /// Disk images for virtio block devices.
    public var drives: [(path: String, mode: DiskImage.Mode)] = []
    /// User-mode networking (`--net user,...`) options, or nil for no network device.
    public var net: String?
    /// The SD card's image (`--sd`), for boards with a slot.
    public var sd: (path: String, mode: DiskImage.Mode)?
    /// The SPI NOR flash's image (`--spi-flash`), for boards with one.
    public var spiFlash: (path: String, mode: DiskImage.Mode)?
    /// `--timing`: the functional cost table, or the Cortex-A53 model.
    public var timing: TimingMode = .simple
    /// `--its`: the board's GICv3 ITS (LPIs; MSI-X for PCI devices).
    public var its = false
    /// `--iommu smmuv3[,stage=...]`: the board's SMMUv3 with these stages, and every DMA-capable
    /// device behind it (nil: no SMMU).
    public var smmu: SMMUStages? = nil
    /// `--device`: virtio-pci functions behind the board's PCIe host bridge.
    public var pciDevices: [PCIDevice] = []
    /// `--engine`: translate hot code to host code (the default where the host is x86-64), or
    /// interpret every instruction. Both give the same run, cycle for cycle.
    public var engine: Engine = Engine.default
    /// `--jit-cache`: room for translated code (emptied whole when full, as QEMU's tb-size).
    public var jitCacheBytes = JITArena.defaultSize

    public enum Engine: String, CaseIterable, Sendable {
        case jit, interpret
        /// `jit`, unless the environment's MINOS_ENGINE names the other (test suites run both).
        public static var `default`: Engine {
            ProcessInfo.processInfo.environment["MINOS_ENGINE"].flatMap(Engine.init(rawValue:)) ?? .jit
        }
    }

    public enum PCIDevice {
        case block(path: String, mode: DiskImage.Mode)
        /// The `--net` device, on PCI instead of a virtio-mmio slot.
        case net
        /// The virtio console (hvc0), on PCI instead of a virtio-mmio slot.
        case console
    }

    public init(board: BoardSpec, cpus: Int = 1, memory: UInt64? = nil, entryEL: Int = 2) {
        self.board = board
        self.cpus = cpus
        self.memory = memory ?? board.defaultRAM
        self.entryEL = entryEL
    }
}

/// A modelled board: memory, devices, cores and the deterministic scheduler that runs them.
public final class Machine {
    public let board: BoardSpec
    public let config: MachineConfig
    public let memory: PhysicalMemory
    /// Breakpoints, watchpoints and stepping for an attached debugger (`GDBServer`).
    public let debug: DebugControl
    public private(set) var cores: [Core] = []
    public private(set) var uarts: [PL011] = []
    /// virtio-mmio transports by base address (every slot of the board, some empty).
    public private(set) var virtio: [(base: UInt64, transport: VirtIOMMIO)] = []
    /// The GICv3 ITS and its base (`--its`), or nil.
    public private(set) var its: (base: UInt64, its: GICITS)?
    /// The SMMUv3 devices do their DMA through (`--iommu smmuv3`), or nil.
    public private(set) var smmu: SMMUv3?
    /// StreamIDs: PCI functions use their requester ID (bus 0: slot << 3), virtio-mmio slot n
    /// uses `virtioStreamBase + n`, above any requester ID of bus 0.
    public static let virtioStreamBase: UInt32 = 0x8000
    /// The PCIe host bridge and its memory window (`--device *-pci`), or nil.
    public private(set) var pci: PCIHost?
    private var pciWindow: PCIHost.Window?
    /// The virtio console's output, line-matched like the UART's.
    public private(set) var virtioConsole: SerialBackend?
    public let console: SerialBackend
    public let entryEL: Int
    /// Answers PSCI when the payload starts below EL3 (no firmware loaded), as QEMU does.
    public private(set) var firmware: PSCIFirmware?
    public var trace: Tracer? {
        didSet {
            for c in cores { c.trace = trace }
            if let t = trace, t.kinds.contains(.mmio) { memory.mmioTrace = { t.note("mmio " + $0) } } else { memory.mmioTrace = nil }
        }
    }
    /// `--timing a53`: each core's model (the cores hold them unowned).
    var timingModels: [A53Timing] = []
    /// `--timeline`: the trace being written (Timeline.swift); nil when not asked for.
    public var timeline: Timeline?
    /// `--stats-interval`: the CSV rows over time.
    public var statsSampler: StatsSampler? { didSet { statsSampler?.header(self) } }
    /// The core inside `run`, whose time stamps what it causes elsewhere (console lines).
    var running: Core? { didSet { runningCPU.index = running?.index ?? 0 } }
    /// The running core's index, for devices with per-CPU banked registers (a GICv2's frames).
    final class RunningCPU { var index = 0 }
    let runningCPU = RunningCPU()
    /// Simulated time for an event outside the cores: the running core's cycles, else the quantum's.
    public var timelineNow: UInt64 { running?.state.pointee.cycles ?? now }

    /// Ends the timeline's open slices and completes its file.
    public func finishTimeline() {
        timeline?.finish(cycles: cores.map { $0.state.pointee.cycles })
        timeline = nil
    }
    public private(set) var outcome: Outcome?
    /// The interrupt controller (nil on boards without one, e.g. the user-mode address space).
    public private(set) var gic: GICv3?
    /// rpi3's BCM2836 local controller, which the generic timers and the armctrl feed.
    public private(set) var localIntc: BCM2836LocalIntc?
    /// Board devices from the board's description that keep time or poll input.
    private var tickedDevices: [MMIODevice] = []
    /// The card in the board's SD slot (`--sd`).
    private var sdCard: SDCard?
    /// The board's SPI NOR flash (`--spi-flash`).
    private var spiFlash: SPINORFlash?
    /// Cores the boot firmware holds until software releases them (core -> how).
    private var held: [Int: Hold] = [:]
    /// The trusted mailbox of EL3 firmware booted with `bootFirmware`, where warm resets return.
    private var trustedMailbox: UInt64?
    public let timers: GenericTimers
    /// Set for `sim user`: EL0 exceptions become system calls and signals instead of vectors.
    public internal(set) var userProcess: UserProcess?
    /// Cycles each core runs before the next one gets a turn: deterministic interleaving.
    public static let quantum: UInt64 = 10_000
    /// Machine time in core cycles, advanced one quantum at a time.
    public private(set) var now: UInt64 = 0
    /// The highest system-counter value any core has read (reads are monotonic machine-wide).
    var counterSeen: UInt64 = 0
    /// Network back-ends: host sockets that can wake the guest at any moment. With any of these,
    /// idle time passes at host speed instead of being skipped (see `idle`).
    private var hostIO: [NetBackend] = []
    /// Longest single host wait while idle, in cycles (10 ms at 1 GHz), so console input and
    /// signals stay responsive.
    static let hostWaitSlice: UInt64 = 10_000_000

    public init(_ config: MachineConfig, console: SerialBackend) throws {
        memory = PhysicalMemory()
        debug = DebugControl(memory: memory)
        let board = config.board
        guard (1...board.maxCPUs).contains(config.cpus) else {
            throw SimError.config("--cpus: board \(board.name) supports 1 to \(board.maxCPUs) CPUs, not \(config.cpus)")
        }
        guard config.memory >= 16 << 20, config.memory <= board.maxRAM, config.memory & 0xFFFFF == 0 else {
            throw SimError.config("--memory: board \(board.name) takes 16 MiB to \(board.maxRAM >> 20) MiB in whole MiB, not \(config.memory) bytes")
        }
        guard (1...3).contains(config.entryEL) else { throw SimError.config("--entry-el: must be 1, 2 or 3") }
        self.board = board
        self.config = config
        self.console = console
        self.entryEL = config.entryEL
        var left = config.memory
        for (i, bank) in board.ramBanks.enumerated() where left > 0 {
            let size = min(left, bank.size)
            try memory.addRegion(name: i == 0 ? "ram" : "ram\(i)", base: bank.base, size: size)
            left -= size
        }
        for (i, f) in board.flash.enumerated() { try memory.addRegion(name: "flash\(i)", base: f.base, size: f.size, writable: false) }
        for (i, s) in board.sram.enumerated() { try memory.addRegion(name: "sram\(i)", base: s.base, size: s.size) }
        let t = board.timer
        timers = GenericTimers(cpuCount: config.cpus, intids: [.physical: t.nonSecure, .virtual: t.virtual,
                                                                 .hypervisor: t.hypervisor, .secure: t.secure])
        let sink: InterruptSink
        switch board.interruptController {
        case .gicv3:
            if let g = board.gic {
                let gic = GICv3(cpuCount: config.cpus, spiCount: g.spiCount, affinity: (0..<config.cpus).map { board.mpidr($0) & 0xFF_00FF_FFFF },
                                architecture: g.architecture)
                self.gic = gic
                switch g.architecture {
                case .v3:
                    try memory.addDevice(GICDistributor(gic: gic), at: g.distributor)
                    try memory.addDevice(GICRedistributors(gic: gic), at: g.redistributors)
                    if config.its {
                        guard let base = g.its else { throw SimError.config("--its: board \(board.name) has no GIC ITS") }
                        let its = GICITS(gic: gic, memory: memory)
                        its.log = { FileHandle.standardError.write(Data(("sim: " + $0 + "\n").utf8)) }
                        gic.hasLPIs = true
                        gic.memory = memory
                        try memory.addDevice(its, at: base)
                        self.its = (base, its)
                    }
                case .v2:
                    if config.its { throw SimError.config("--its needs a GICv3 (not --gic v2)") }
                    guard config.cpus <= 8 else { throw SimError.config("--gic v2: a GICv2 serves at most 8 CPUs") }
                    // The memory-mapped CPU-side frames are banked: they answer the running core.
                    let cpu: () -> Int = { [box = runningCPU] in box.index }
                    try memory.addDevice(GICv2Distributor(gic: gic, currentCPU: cpu), at: g.distributor)
                    try memory.addDevice(GICv2CPUInterfaceFrame(gic: gic, currentCPU: cpu), at: g.cpuInterface)
                    try memory.addDevice(GICv2HypervisorInterface(gic: gic, currentCPU: cpu), at: g.hypervisorInterface)
                    try memory.addDevice(GICv2VirtualCPUInterfaceFrame(gic: gic, currentCPU: cpu), at: g.virtualCPUInterface)
                }
                sink = GICLines(gic: gic)
            } else {
                sink = NullInterruptSink()
            }
        case .bcm2836(let localBase, let armctrlBase):
            let local = BCM2836LocalIntc(cores: config.cpus, cpuHz: board.cpuHz, output: nil)
            let armctrl = BCM2835Armctrl(local: local)
            try memory.addDevice(local, at: localBase)
            try memory.addDevice(armctrl, at: armctrlBase)
            localIntc = local
            tickedDevices.append(local)
            sink = armctrl
        }
        for (i, u) in board.uarts.enumerated() {
            let backend = i == board.consoleUART ? console : SerialBackend(handle: nil, echo: false)
            let dev = PL011(name: "pl011@\(String(u.base, radix: 16))", backend: backend, irq: u.intid, clockHz: board.uartClockHz, sink: sink)
            try memory.addDevice(dev, at: u.base)
            uarts.append(dev)
        }
        if let base = board.v2mSysRegs {
            let sysregs = V2MSysRegs()
            sysregs.onShutdown = { [unowned self] in self.finish(.poweredOff) }
            sysregs.onReboot = { [unowned self] in self.finish(.reset) }
            try memory.addDevice(sysregs, at: base)
        }
        if let sd = config.sd {
            guard board.devices.contains(where: { $0.model.isSDSlot }) else {
                throw SimError.config("--sd: board \(board.name) has no SD card slot")
            }
            do { sdCard = SDCard(image: try DiskImage(path: sd.path, mode: sd.mode)) }
            catch let e as DiskImageError { throw SimError.file(path: sd.path, problem: e.description.replacingOccurrences(of: sd.path + ": ", with: "")) }
        }
        if let f = config.spiFlash {
            guard board.devices.contains(where: { $0.model.isSPIFlashSlot }) else {
                throw SimError.config("--spi-flash: board \(board.name) has no SPI flash")
            }
            let image: DiskImage
            do { image = try DiskImage(path: f.path, mode: f.mode) }
            catch let e as DiskImageError { throw SimError.file(path: f.path, problem: e.description.replacingOccurrences(of: f.path + ": ", with: "")) }
            guard let chip = SPINORFlash(image: image) else {
                image.close()
                throw SimError.file(path: f.path, problem: "\(image.size) bytes: a SPI flash image is " + SPINORFlash.sizes.map { "\($0 >> 20)" }.joined(separator: ", ") + " MiB")
            }
            spiFlash = chip
        }
        let context = BoardDevices.Context(sink: sink, console: console, memory: memory, cpuHz: board.cpuHz, sdCard: sdCard, sdSlot: board.devices.first { $0.model.isSDSlot }?.base, spiFlash: spiFlash,
                                           ramSize: config.memory, boardRevision: board.boardRevision,
                                           powerOff: { [unowned self] in self.finish(.poweredOff) },
                                           reset: { [unowned self] in self.finish(.reset) })
        for d in board.devices {
            let device = BoardDevices.make(d, context)
            try memory.addDevice(device, at: d.base)
            if d.model.isTicked { tickedDevices.append(device) }
        }
        // The SD card reaches the sdhost controller only while GPIO 48-53 (CLK, CMD, DAT0-3) are in ALT0.
        if let sdhost = memory.devices.lazy.compactMap({ $0.device as? BCM2835SDHost }).first,
           let gpio = memory.devices.lazy.compactMap({ $0.device as? BCM2835GPIO }).first {
            sdhost.cardRouted = { [unowned gpio] in (48...53).allSatisfy { gpio.function(pin: $0) == 4 } }
        }
        // Regions of devices the board has and we do not model: read as zero, writes ignored.
        // (The SMMU, when asked for, takes its placeholder's place.)
        for p in board.placeholders where !(config.smmu != nil && board.smmu.map { $0.base >= p.base && $0.base < p.base + p.size } == true) {
            try memory.addDevice(UnimplementedDevice(name: p.name, size: p.size), at: p.base)
        }
        if let w = board.peripheralWindow { try fillPeripheralGaps(w) }
        try attachSMMU(config, sink: sink)
        try attachVirtIO(config, sink: sink, console: console)
        for n in 0..<config.cpus { cores.append(Core(index: n, mpidr: board.mpidr(n), machine: self)) }
        if config.timing == .a53 {
            let l2 = CacheModel(bytes: board.memorySystem.l2Bytes, ways: board.memorySystem.l2Ways)
            timingModels = cores.map { _ in A53Timing(system: board.memorySystem, l2: l2, cpuHz: board.cpuHz, multicore: config.cpus > 1) }
            for (c, t) in zip(cores, timingModels) { c.a53 = t }
        }
        // The translator mirrors the functional hot loop; the a53 model's timing stays interpreted.
        memory.jitCacheBytes = config.jitCacheBytes
        if config.engine == .jit && config.timing == .simple, let arena = memory.jitArena {
            for c in cores { c.jit = arena }
        }
        debug.onWatchedPagesChanged = { [unowned self] withhold in
            for c in self.cores {
                c.debuggerWatching = self.debug.accessWatching
                c.markWatchedPages(withhold)
            }
        }
        if config.entryEL < 3, case .direct = board.boot {
            firmware = PSCIFirmware(conduit: config.entryEL == 2 ? .smc : .hvc, machine: self)
        }
        gic?.output = self
        localIntc?.attach(output: self)
        if let local = localIntc {
            timers.raise = { cpu, kind, asserted in local.setTimer(cpu: cpu, kind: kind, asserted: asserted) }
        } else {
            timers.raise = { [unowned self] cpu, intid, asserted in self.gic?.setLevel(intid: intid, cpu: cpu, asserted: asserted) }
        }
        memory.onNewCodePage = { [unowned self] host in
            for c in self.cores { c.tlb.dropWrites(hostPage: UInt(bitPattern: host)) }
        }
    }

    /// What a DMA-capable device on `streamID` sees: memory through the SMMU when there is one.
    private func dmaView(streamID: UInt32) -> GuestMemory {
        smmu.map { SMMUStream(smmu: $0, streamID: streamID, memory: memory) } ?? memory
    }

    /// The board's SMMUv3 (`--iommu smmuv3`), before any device that does DMA.
    private func attachSMMU(_ config: MachineConfig, sink: InterruptSink) throws {
        guard let stages = config.smmu else { return }
        guard let s = board.smmu else { throw SimError.config("--iommu smmuv3: board \(board.name) has no SMMUv3") }
        let smmu = SMMUv3(name: "smmuv3@\(String(s.base, radix: 16))", memory: memory, sink: sink, interrupts: s.interrupts, stages: stages)
        smmu.log = { FileHandle.standardError.write(Data(("sim: " + $0 + "\n").utf8)) }
        try memory.addDevice(smmu, at: s.base)
        self.smmu = smmu
    }

    /// Puts virtio devices in the board's slots: block devices, then the network device, then a
    /// console; on boards with fixed roles (fvp) each goes to its slot. Unused slots stay empty
    /// transports, as in QEMU. Guest-visible order is deterministic.
    private func attachVirtIO(_ config: MachineConfig, sink: InterruptSink, console: SerialBackend) throws {
        guard !board.virtio.isEmpty else {
            if !config.drives.isEmpty || config.net != nil { throw SimError.config("board \(board.name) has no virtio-mmio slots") }
            return
        }
        var devices: [(role: String, device: VirtIODevice)] = []
        var pciDevices: [(role: String, device: VirtIODevice)] = []
        if !config.pciDevices.isEmpty && board.pcie == nil { throw SimError.config("--device *-pci: board \(board.name) has no PCIe host bridge") }
        let netOnPCI = config.pciDevices.contains { if case .net = $0 { return true } else { return false } }
        let consoleOnPCI = config.pciDevices.contains { if case .console = $0 { return true } else { return false } }
        if netOnPCI && config.net == nil { throw SimError.config("--device virtio-net-pci: give the network with --net user[,...]") }
        for case .block(let path, let mode) in config.pciDevices {
            do { pciDevices.append(("block", VirtIOBlock(image: try DiskImage(path: path, mode: mode)))) }
            catch let e as DiskImageError { throw SimError.file(path: path, problem: e.description.replacingOccurrences(of: path + ": ", with: "")) }
        }
        for d in config.drives {
            do { devices.append(("block", VirtIOBlock(image: try DiskImage(path: d.path, mode: d.mode)))) }
            catch let e as DiskImageError { throw SimError.file(path: d.path, problem: e.description.replacingOccurrences(of: d.path + ": ", with: "")) }
        }
        if let spec = config.net {
            do {
                let backend = try SlirpBackend(spec)
                hostIO.append(backend)
                if netOnPCI { pciDevices.append(("net", VirtIONet(backend: backend))) } else { devices.append(("net", VirtIONet(backend: backend))) }
            }
            catch let e as NetOptionError { throw SimError.config(e.description) }
            catch { throw SimError.config("--net: \(error)") }
        }
        let hvc = SerialBackend(handle: console.handleForVirtIO, echo: console.echo)
        virtioConsole = hvc
        if consoleOnPCI { pciDevices.append(("console", VirtIOConsole(backend: hvc))) } else { devices.append(("console", VirtIOConsole(backend: hvc))) }
        var slots = board.virtio
        var assigned = [Int: VirtIODevice]()
        for (role, device) in devices {
            // Fixed-role slots take their kind; generic slots fill from the top, as QEMU does.
            let index = slots.indices.reversed().first { i in assigned[i] == nil && (slots[i].role == nil || slots[i].role == role) }
            guard let i = index else {
                if role == "console" { virtioConsole = nil; continue }
                throw SimError.config("board \(board.name) has no free virtio slot for another \(role) device")
            }
            assigned[i] = device
        }
        for (i, slot) in slots.enumerated() {
            let name = "virtio_mmio@\(String(slot.base, radix: 16))"
            let dma = dmaView(streamID: Self.virtioStreamBase + UInt32(i))
            let transport = assigned[i].map { VirtIOMMIO(name: name, device: $0, memory: dma, irq: slot.intid, sink: sink) }
                ?? VirtIOMMIO.empty(name: name, memory: dma, irq: slot.intid, sink: sink)
            try memory.addDevice(transport, at: slot.base)
            virtio.append((slot.base, transport))
        }
        slots.removeAll()
        try attachPCI(pciDevices, sink: sink)
    }

    /// The PCIe host bridge with virtio-pci functions in slots 1, 2, ... (the bridge is 00:00.0);
    /// only when some device is on PCI, so boards without `--device` keep QEMU-less-PCI device trees.
    private func attachPCI(_ devices: [(role: String, device: VirtIODevice)], sink: InterruptSink) throws {
        guard !devices.isEmpty else { return }
        guard let p = board.pcie else { return }
        guard gic != nil else { throw SimError.config("--device *-pci: board \(board.name) has no GIC for INTx") }
        let host = PCIHost(intxBase: p.intxBase)
        for (role, device) in devices {
            let slot = host.slots.firstIndex { $0 == nil } ?? 32
            guard slot < 32 else { throw SimError.config("--device: no free PCI slot for another \(role) device") }
            // MSI-X through the ITS, the device's requester ID (bus 0, slot, function 0) as DeviceID.
            let msi: ((UInt64, UInt32) -> Void)? = its.map { (base, its) in
                { address, data in if address == base + GICITS.translaterOffset { its.message(deviceID: UInt32(slot << 3), eventID: data) } }
            }
            _ = host.attach(VirtIOPCI(name: "virtio-pci@00:\(String(format: "%02x", slot)).0", device: device, memory: dmaView(streamID: UInt32(slot << 3)),
                                      intx: host.intxIntid(slot: slot, pin: 1), sink: sink, msi: msi))
        }
        try memory.addDevice(PCIHost.ECAM(host: host, size: p.ecamSize), at: p.ecam)
        let window = PCIHost.Window(host: host, base: p.window, size: p.windowSize)
        try memory.addDevice(window, at: p.window)
        pci = host
        pciWindow = window
    }

    /// Covers what no device occupies in `window` with read-as-zero regions (the board's many
    /// peripherals we do not model), so an upstream kernel probes them and moves on.
    private func fillPeripheralGaps(_ window: BoardSpec.Bank) throws {
        let end = window.base + window.size
        let taken = memory.devices.map { ($0.base, $0.base + $0.device.size) }
            .filter { $0.0 < end && $0.1 > window.base }.sorted { $0.0 < $1.0 }
        var at = window.base
        for (start, stop) in taken + [(end, end)] {
            if start > at { try memory.addDevice(UnimplementedDevice(name: "\(board.name)-periph@\(String(at, radix: 16))", size: start - at), at: at) }
            at = max(at, stop)
        }
    }

    /// Flushes and releases device back-ends (disk images): at exit, also after SIGINT/SIGTERM.
    public func close() {
        statsSampler?.close()
        for v in virtio { v.transport.close() }
        for f in pci?.functions ?? [] { f.close() }
        sdCard?.image.close()
        spiFlash?.image.close()
    }

    /// How a held core waits (the firmware's loop, done by the simulator).
    enum Hold {
        /// The Pi armstub's spin table: released by a non-zero address in `slot`, entered at the
        /// payload's EL with x0-x3 zero.
        case spinTable(slot: UInt64)
        /// TF-A BL1's trusted mailbox: released when the core's hold word becomes 1, entered at
        /// EL3 at the address in the mailbox's first word.
        case trustedMailbox(base: UInt64)
    }

    /// Starts the payload: CPU 0 at `entry` with the Linux boot registers; with EL3 entry every
    /// core starts there (as on hardware, firmware parks the secondaries), otherwise secondaries
    /// wait for PSCI CPU_ON.
    public func boot(entry: UInt64, dtb: UInt64) {
        for c in cores {
            if c.index == 0 || entryEL == 3 {
                c.boot(entry: entry, el: entryEL, x0: c.index == 0 ? dtb : 0)
                // The Pi's armstub leaves SCR_EL3.SMD set: there is no firmware to call.
                if case .spinTable = board.boot, entryEL < 3 { c[.scrEL3] |= 1 << 7 }
            } else {
                c.power = .off
                if case .spinTable(let slots) = board.boot, c.index < slots.count {
                    held[c.index] = .spinTable(slot: slots[c.index])
                    try? memory.write([UInt8](repeating: 0, count: 8), at: slots[c.index])
                }
            }
        }
    }

    /// Starts EL3 firmware as the boot stages before it would: CPU 0 at `entry` in EL3 with
    /// `x0`, `x1`; the other cores held in the trusted mailbox at `mailbox` (cleared here).
    public func bootFirmware(entry: UInt64, x0: UInt64, x1: UInt64, mailbox: UInt64) {
        trustedMailbox = mailbox
        try? memory.write([UInt8](repeating: 0, count: 8 * (cores.count + 1)), at: mailbox)
        for c in cores {
            if c.index == 0 {
                c.boot(entry: entry, el: 3, x0: x0, x1: x1)
            } else {
                c.power = .off
                held[c.index] = .trustedMailbox(base: mailbox)
            }
        }
    }

    /// RMR_EL3.RR and a WFI: the core resets. Under firmware booted with `bootFirmware` it goes
    /// back to the trusted mailbox, as BL1 sends it (a secondary clears its hold word first; the
    /// primary waits there only when the firmware marked it powered off with 2, and otherwise
    /// cold boots: the run ends as a system reset). Otherwise it restarts at RVBAR_EL3.
    func warmReset(_ core: Core) {
        core.warmResetRequested = false
        guard let mailbox = trustedMailbox else {
            core.boot(entry: core[.rvbarEL3], el: 3)
            return
        }
        let hold = mailbox + 8 + 8 * UInt64(core.index)
        if core.index == 0 {
            guard readWord(hold) == 2 else { finish(.reset); return }
        } else {
            try? memory.write([UInt8](repeating: 0, count: 8), at: hold)
        }
        core.power = .off
        held[core.index] = .trustedMailbox(base: mailbox)
    }

    private func readWord(_ address: UInt64) -> UInt64? {
        guard let bytes = memory.dmaRead(address, count: 8) else { return nil }
        return bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    /// Releases held cores whose firmware loop would now exit (checked at each event and quantum).
    private func releaseHeldCores() {
        for (n, hold) in held {
            switch hold {
            case .spinTable(let slot):
                guard let address = readWord(slot), address != 0 else { continue }
                held[n] = nil
                cores[n].boot(entry: address, el: entryEL)
                cores[n][.scrEL3] |= 1 << 7
            case .trustedMailbox(let base):
                guard readWord(base + 8 + 8 * UInt64(n)) == 1, let entry = readWord(base) else { continue }
                held[n] = nil
                cores[n].boot(entry: entry, el: 3)
            }
            cores[n].state.pointee.cycles = now
        }
    }

    /// Ends the run with `outcome` (first one wins); cores stop at their next block boundary.
    public func finish(_ outcome: Outcome) {
        guard self.outcome == nil else { return }
        self.outcome = outcome
        for c in cores { c.state.pointee.deadline = 0 }
    }

    /// Forgets how the last run ended so the machine can run again (after reloading memory and
    /// re-booting the cores): random-word fuzzing, and a later SYSTEM_RESET reboot.
    public func rearm() {
        outcome = nil
    }

    func limitation(_ message: String, core: Core) {
        finish(.limitation("cpu\(core.index) at pc 0x\(String(core.state.pointee.pc, radix: 16)): \(message)"))
    }

    /// Instructions retired by all cores.
    public var retired: UInt64 { cores.reduce(0) { $0 + $1.state.pointee.retired } }

    /// Runs until an outcome. `maxInstructions` is checked at quantum boundaries.
    public func run(maxInstructions: UInt64? = nil, poll: (() -> Void)? = nil) -> Outcome {
        let traceExec = trace?.kinds.contains(.exec) ?? false
        var quanta = 0
        while outcome == nil {
            let target = now &+ Machine.quantum
            var anyRunning = false
            for c in cores where outcome == nil {
                timers.update(cpu: c.index, physical: c.physicalCount)
                if c.power == .on {
                    // Every retired instruction costs at least one cycle, so a cycle deadline this
                    // close stops the core within one block of the instruction limit. A timer due
                    // before the quantum ends shortens it, so the interrupt arrives on time.
                    var deadline = target
                    if let event = timers.nextEvent(physical: c.physicalCount) {
                        deadline = min(deadline, max(cycles(forCount: event), c.state.pointee.cycles &+ 1))
                    }
                    // Likewise a PMU counter that may overflow with its interrupt enabled.
                    if let left = c.cyclesToPMUOverflow {
                        deadline = min(deadline, c.state.pointee.cycles &+ max(left, 1))
                    }
                    if let limit = maxInstructions {
                        let total = retired
                        // The a53 model retires up to two instructions a cycle.
                        let left = limit > total ? limit - total : 0
                        deadline = min(deadline, c.state.pointee.cycles &+ (c.a53 == nil ? left : max(left / 2, min(left, 1))))
                    }
                    if timeline != nil { c.timelineEnter() }
                    running = c
                    if traceExec { runTraced(c, until: deadline) } else {
                        c.state.pointee.deadline = deadline
                        _ = c.run()
                    }
                    running = nil
                    if timeline != nil { c.timelineEnter() }
                }
                if c.pmu.active { c.pmuSync() }
                if c.power == .on { anyRunning = true }
                // Waiting and powered-off cores let time pass.
                if c.power != .on { c.passIdle(to: target) }
            }
            now = target
            userProcess?.quantumEnded()
            if let s = statsSampler, now >= s.next { s.sample(self, at: now) }
            if let limit = maxInstructions, retired >= limit { finish(.instructionLimit) }
            for u in uarts { u.tick(now: now) }
            for d in tickedDevices { d.tick(now: now) }
            if !held.isEmpty { releaseHeldCores() }
            for v in virtio { v.transport.tick(now: now) }
            pciWindow?.tick(now: now)
            let woke = wakeWaiters()
            if !anyRunning && !woke && outcome == nil {
                idle()
                if !hostIO.isEmpty { poll?() }
            }
            quanta += 1
            if quanta & 63 == 0 { poll?() }
        }
        console.flush()
        trace?.flush()
        return outcome!
    }

    /// Every core waits. Without host I/O nothing can happen before the next timer event, so time
    /// skips straight to it (idle costs no host time and runs stay deterministic). With a network
    /// back-end the host's sockets can wake the guest at any moment, and skipping would let guest
    /// timeouts (TCP retransmits, DHCP, wget) expire before the host has had time to answer: so
    /// idle time then passes at host speed, waiting on the back-end's sockets, never ahead of it.
    private func idle() {
        let event = timers.nextEvent(physical: count(forCycles: now)).map { max(now, cycles(forCount: $0)) }
        if hostIO.isEmpty {
            guard let event else { finish(.deadlock); return }
            advanceWaiters(to: event)
        } else {
            let gap = min(event.map { $0 - now } ?? .max, Machine.hostWaitSlice)
            let hz = Double(board.cpuHz)
            let started = DispatchTime.now().uptimeNanoseconds
            for b in hostIO { b.wait(nanoseconds: Int64(Double(gap) / hz * 1e9)) }
            let waited = Double(DispatchTime.now().uptimeNanoseconds - started)
            let elapsed = UInt64(min(waited / 1e9 * hz, Double(gap)))
            // Host-side input (now queued in the device) is delivered at the next transport tick.
            advanceWaiters(to: min(now &+ elapsed, event ?? .max))
        }
        // Raised interrupt lines wake cores directly (setInterruptLines) or here.
        if !wakeWaiters() && !cores.contains(where: { $0.power == .on }) && hostIO.isEmpty { finish(.deadlock) }
    }

    private func advanceWaiters(to time: UInt64) {
        now = max(now, time)
        for c in cores where c.power != .on {
            c.passIdle(to: now)
            timers.update(cpu: c.index, physical: c.physicalCount)
        }
    }

    /// Runs one block at a time, logging each block's start (`--trace exec`).
    private func runTraced(_ c: Core, until target: UInt64) {
        while c.power == .on && c.state.pointee.cycles < target && outcome == nil {
            trace?.block(core: c, pc: c.state.pointee.pc)
            c.state.pointee.deadline = c.state.pointee.cycles &+ 1
            _ = c.run()
        }
    }

    /// Wakes cores whose wait condition holds; false when no core can ever wake (no timers or
    /// interrupt sources are pending yet in this model).
    private func wakeWaiters() -> Bool {
        var woke = false
        for c in cores {
            switch c.power {
            case .waitingForInterrupt where c.irqLine || c.fiqLine || c.virqLine || c.vfiqLine:
                c.power = .on; woke = true
            // WFE may complete spuriously (Arm ARM D1.16.2): a waiter wakes every quantum while
            // another core runs, so locks released by ordinary stores are seen promptly.
            case .waitingForEvent where c.state.pointee.eventRegister || c.irqLine || c.fiqLine || c.virqLine || c.vfiqLine
                || cores.contains(where: { $0.power == .on }):
                c.state.pointee.eventRegister = false
                c.power = .on; woke = true
            // Another core's store to the location this core's exclusive load armed clears its
            // monitor: a wake-up event even when no core is running any more.
            case .waitingForEvent where c.exclusiveMonitorDisturbed:
                c.state.pointee.exclusiveAddr = .max
                c.power = .on; woke = true
            default: break
            }
        }
        return woke
    }

    // MARK: Hooks used by cores

    /// A store reached memory through the slow path: other cores lose exclusive reservations there.
    func didStore(pa: UInt64, size: Int, by core: Core) {
        guard cores.count > 1 else { return }
        clearExclusives(pa: pa, except: core)
    }

    func clearExclusives(pa: UInt64, except core: Core) {
        for c in cores where c !== core && c.state.pointee.exclusiveAddr != .max {
            // Clearing a PE's global monitor is a WFE wake-up event for it (Arm ARM D1.16.1).
            if c.state.pointee.exclusiveAddr & ~63 == pa & ~63 {
                c.state.pointee.exclusiveAddr = .max
                c.state.pointee.eventRegister = true
            }
        }
    }

    /// TLBI: the issuing core, or all cores for inner-shareable forms, drop cached translations.
    func flushTLBs(from core: Core, scope: TLBIScope, broadcast: Bool) {
        for c in broadcast ? cores : [core] {
            switch scope {
            case .stage2Context(let key): c.tlb.flush(key: key)
            case .allEL1: c.tlb.flushAllBanks()
            case .regime(let el): c.tlb.flushRegime(el: el)
            case .page(let va, let el, let key): c.tlb.flush(page: va, el: el, key: key)
            }
            if let a = c.a53 {
                if case .page(let va, _, _) = scope { a.invalidateTLB(page: va) } else { a.invalidateTLB(page: nil) }
            }
        }
    }

    /// SEV: sets every core's event register and wakes WFE waiters.
    func sendEvent() {
        for c in cores {
            c.state.pointee.eventRegister = true
        }
        if !held.isEmpty { releaseHeldCores() }
    }

    /// Counter ticks at a cycle count, and the first cycle at which the counter reaches `count`.
    func count(forCycles c: UInt64) -> UInt64 {
        let (hi, lo) = c.multipliedFullWidth(by: board.counterHz)
        return board.cpuHz.dividingFullWidth((hi, lo)).quotient
    }

    func cycles(forCount n: UInt64) -> UInt64 {
        let (hi, lo) = n.multipliedFullWidth(by: board.cpuHz)
        let (q, r) = board.counterHz.dividingFullWidth((hi, lo))
        return r == 0 ? q : q &+ 1
    }
}

/// Interrupt lines from the GIC to the cores: a newly asserted line wakes a waiting core and
/// ends a running core's block so the exception is taken promptly.
extension Machine: GICOutput {
    /// A core's PMU overflow interrupt request: its PPI on a GIC, the local controller's PMU input on the Pi.
    func setPMUInterrupt(cpu: Int, asserted: Bool) {
        if let local = localIntc { local.setPMU(cpu: cpu, asserted: asserted) }
        else if let intid = board.gic?.pmuIntid { gic?.setLevel(intid: intid, cpu: cpu, asserted: asserted) }
    }

    public func setInterruptLines(cpu: Int, irq: Bool, fiq: Bool) {
        let c = cores[cpu]
        c.irqLine = irq
        c.fiqLine = fiq
        if irq || fiq {
            if c.power == .waitingForInterrupt || c.power == .waitingForEvent { c.power = .on }
            c.state.pointee.deadline = 0
        }
    }
}

extension Machine {
    public func setVirtualInterruptLines(cpu: Int, irq: Bool, fiq: Bool) {
        let c = cores[cpu]
        let raised = (irq && !c.virqLine) || (fiq && !c.vfiqLine)
        c.virqLine = irq
        c.vfiqLine = fiq
        if raised {
            if c.power == .waitingForInterrupt || c.power == .waitingForEvent { c.power = .on }
            c.state.pointee.deadline = 0
        }
    }
}

/// Device interrupt outputs (SPIs) into the GIC.
final class GICLines: InterruptSink {
    let gic: GICv3
    init(gic: GICv3) { self.gic = gic }
    func setLevel(intid: Int, asserted: Bool) { gic.setLevel(intid: intid, asserted: asserted) }
}
