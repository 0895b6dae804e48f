import Foundation
import Devices

/// What to put in memory before the first instruction, as a boot loader (QEMU's `-kernel`,
/// FVP's `--data`, u-boot's `booti`) would.
public struct BootOptions {
    public var kernel: String?
    public var dtb: String?
    public var initrd: String?
    public var append: String?
    /// Raw files at physical addresses (`--load FILE@ADDR`).
    public var loads: [(path: String, address: UInt64)] = []
    /// EL3 firmware the payload boots through (`--firmware`), entered per the board's protocol.
    public var firmware: String?
    /// Boot firmware in the board's first flash (`--bios`, as QEMU's -bios): started at the
    /// flash's base at the reset EL, with the device tree at the start of RAM.
    public var bios: String?
    /// Files already in memory, by the name the paths above use (the Pi firmware's card files).
    public var files: [String: [UInt8]] = [:]
    /// Where the initrd and the device tree go, when the boot loader says (the Pi's config.txt).
    public var initrdAddress: UInt64?
    public var dtbAddress: UInt64?

    public init() {}
}

/// Where things went.
public struct BootPlan {
    /// Nil when nothing executable was given (only a device tree to produce).
    public var entry: UInt64?
    public var dtbAddress: UInt64
    public var dtb: [UInt8]
    /// Named ranges placed in memory, for messages and tests.
    public var placed: [(name: String, start: UInt64, end: UInt64)]
    /// Set when EL3 firmware runs first: where CPU 0 starts it, with which registers, and the
    /// mailbox the other cores wait in (`Machine.bootFirmware`).
    public var firmware: (entry: UInt64, x0: UInt64, x1: UInt64, mailbox: UInt64)?
}

public enum BootLoader {
    /// The board's upstream device tree (from Debian's kernel package, placed by `make images` in
    /// build/linux): looked up in $MINOS_DTB_DIR if set, else in build/linux above the simulator binary.
    static func upstreamDTB(_ board: BoardSpec) throws -> String? {
        guard let name = board.upstreamDTB else { return nil }
        let file = String(name.split(separator: "/").last ?? "")
        var dirs: [String] = []
        if let d = ProcessInfo.processInfo.environment["MINOS_DTB_DIR"] { dirs.append(d) } else {
            var dir = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            for _ in 0..<5 {
                dir.deleteLastPathComponent()
                dirs.append(dir.appendingPathComponent("build/linux").path)
            }
        }
        if let found = dirs.first(where: { FileManager.default.fileExists(atPath: $0 + "/" + file) }) { return found + "/" + file }
        throw SimError.config("board \(board.name) boots with Linux's upstream \(name) (Debian's kernel package): not found in $MINOS_DTB_DIR or build/linux; run make images, or give --dtb")
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw SimError.file(path: path, problem: "no such file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw SimError.file(path: path, problem: "cannot read") }
        return [UInt8](data)
    }

    /// Loads everything, generating or patching the device tree; returns the entry point.
    public static func load(_ options: BootOptions, into machine: Machine) throws -> BootPlan {
        let ram = machine.memory.regions.first { $0.name == "ram" }!
        func read(_ path: String) throws -> [UInt8] { try options.files[path] ?? BootLoader.read(path) }
        var segments: [(String, Segment)] = []
        var entry: UInt64?
        if let path = options.kernel {
            let data = try read(path)
            if ELFLoader.isELF(data) {
                let (segs, e) = try ELFLoader.load(path: path, data: data)
                for (i, s) in segs.enumerated() { segments.append(("\(path) segment \(i)", s)) }
                entry = e
            } else if ImageLoader.isImage(data) {
                let (seg, e) = try ImageLoader.load(path: path, data: data, ramBase: ram.base, preferredBase: machine.board.imageBase)
                segments.append((path, seg))
                entry = e
            } else if let base = machine.board.rawKernelBase {
                guard !data.isEmpty else { throw SimError.file(path: path, problem: "empty file") }
                segments.append((path, Segment(address: base, bytes: data, size: UInt64(data.count))))
                entry = base
            } else {
                throw SimError.file(path: path, problem: "neither an ELF executable nor an arm64 Image (no \"ARM\\x64\" magic at 0x38)")
            }
        }
        for l in options.loads {
            let data = try read(l.path)
            segments.append(("\(l.path)@0x\(String(l.address, radix: 16))", Segment(address: l.address, bytes: data, size: UInt64(data.count))))
        }
        var entryPoint = entry ?? options.loads.first?.address
        if let path = options.bios {
            guard let flash = machine.board.flash.first else {
                throw SimError.config("--bios: board \(machine.board.name) has no boot flash (give the firmware with --kernel or --load)")
            }
            guard options.kernel == nil, options.initrd == nil, options.firmware == nil else {
                throw SimError.config("--bios runs the firmware alone: --kernel, --initrd and --firmware do not apply (load the kernel from a --drive)")
            }
            let data = try read(path)
            guard !data.isEmpty, UInt64(data.count) <= flash.size else {
                throw SimError.file(path: path, problem: "\(data.count) bytes: the boot flash at 0x\(String(flash.base, radix: 16)) holds 1 to \(flash.size) bytes")
            }
            segments.append((path, Segment(address: flash.base, bytes: data, size: UInt64(data.count))))
            entryPoint = flash.base
        }
        var firmwareProtocol: BoardSpec.FirmwareProtocol?
        if let path = options.firmware {
            guard let fw = machine.board.firmware else {
                throw SimError.config("--firmware: board \(machine.board.name) boots no EL3 firmware image (below EL3 the simulator answers PSCI itself)")
            }
            let (base, size): (UInt64, UInt64)
            switch fw { case .tfaBL31(let b, let n, _, _, _): (base, size) = (b, n) }
            let data = try read(path)
            guard !data.isEmpty, UInt64(data.count) <= size else {
                throw SimError.file(path: path, problem: "\(data.count) bytes: board \(machine.board.name)'s BL31 must be 1 to \(size) bytes (loaded at 0x\(String(base, radix: 16)))")
            }
            guard entryPoint != nil else { throw SimError.config("--firmware: give the payload it starts (--kernel FILE or --load FILE@ADDR)") }
            segments.append((path, Segment(address: base, bytes: data, size: UInt64(data.count))))
            firmwareProtocol = fw
        }

        // The device tree goes in the last 2 MiB of the first RAM bank (Linux wants it 8-byte aligned,
        // at most 2 MiB, in a 2 MiB region of its own); the initrd just below it.
        var dtbAddress = ram.base + ram.size - 0x20_0000
        var chosen = ChosenInfo(bootargs: options.append)
        if let base = machine.board.initrdBase { dtbAddress = base }
        if let path = options.initrd {
            let data = try read(path)
            guard UInt64(data.count) < ram.size / 2 else { throw SimError.file(path: path, problem: "initrd of \(data.count) bytes does not fit in RAM") }
            let start: UInt64
            if let base = options.initrdAddress {
                start = base
                if options.dtbAddress == nil { dtbAddress = (base + UInt64(data.count) + 0x1F_FFFF) & ~0x1F_FFFF }
            } else if let base = machine.board.initrdBase {
                start = base
                dtbAddress = (base + UInt64(data.count) + 0x1F_FFFF) & ~0x1F_FFFF
            } else {
                start = (dtbAddress - UInt64(data.count)) & ~0xFFF
            }
            segments.append((path, Segment(address: start, bytes: data, size: UInt64(data.count))))
            chosen.initrd = (start, start + UInt64(data.count))
        }
        if let a = options.dtbAddress { dtbAddress = a }
        // QEMU's -bios: the firmware finds the tree at the start of RAM.
        if options.bios != nil { dtbAddress = ram.base }
        var dtb: [UInt8]
        if let path = try options.dtb ?? upstreamDTB(machine.board) {
            do {
                var blob = try DeviceTreeBlob(try read(path))
                try DeviceTreeGenerator.patch(&blob, machine: machine, chosen: chosen)
                dtb = blob.packed()
            } catch let e as DeviceTreeError {
                throw SimError.file(path: path, problem: e.description)
            }
        } else {
            dtb = try DeviceTreeGenerator.generate(machine, chosen: chosen)
        }
        if case .tfaBL31(_, _, _, let secureRAM, _) = firmwareProtocol {
            do {
                var blob = try DeviceTreeBlob(dtb)
                try DeviceTreeGenerator.patchForFirmwarePSCI(&blob, reserve: secureRAM)
                dtb = blob.packed()
            } catch let e as DeviceTreeError { throw SimError.config("device tree: \(e.description)") }
        }
        guard dtb.count <= 0x20_0000 else { throw SimError.config("device tree of \(dtb.count) bytes exceeds 2 MiB") }
        segments.append(("device tree", Segment(address: dtbAddress, bytes: dtb, size: UInt64(dtb.count))))

        // Every piece must sit inside memory and not overlap another.
        var placed: [(String, UInt64, UInt64)] = []
        for (name, s) in segments where s.size > 0 {
            let (end, overflow) = s.address.addingReportingOverflow(s.size)
            guard !overflow, let region = machine.memory.region(s.address), end <= region.base + region.size else {
                throw SimError.config("\(name): [0x\(String(s.address, radix: 16)), 0x\(String(s.address &+ s.size, radix: 16))) is outside the board's memory")
            }
            if let other = placed.first(where: { s.address < $0.2 && $0.1 < end }) {
                throw SimError.config("\(name) at [0x\(String(s.address, radix: 16)), 0x\(String(end, radix: 16))) overlaps \(other.0) at [0x\(String(other.1, radix: 16)), 0x\(String(other.2, radix: 16)))")
            }
            placed.append((name, s.address, end))
        }
        for (_, s) in segments {
            try machine.memory.write(s.bytes, at: s.address)
            if s.size > UInt64(s.bytes.count) {
                try machine.memory.write([UInt8](repeating: 0, count: Int(s.size) - s.bytes.count), at: s.address + UInt64(s.bytes.count))
            }
        }
        var plan = BootPlan(entry: entryPoint, dtbAddress: dtbAddress, dtb: dtb, placed: placed.map { ($0.0, $0.1, $0.2) })
        if case .tfaBL31(let base, _, let mailbox, _, let check) = firmwareProtocol, let bl33 = entryPoint {
            let params = base - 0x1000
            try machine.memory.write(TFAParams.bl31(at: params, bl33: bl33, dtb: dtbAddress), at: params)
            plan.firmware = (base, params, check, mailbox)
        }
        return plan
    }
}
