import ArgumentParser
import Devices
import Simulator

/// `--memory` sizes: a number of bytes with K/M/G/T suffixes, or plain MiB as in QEMU's `-m`.
struct Size: ExpressibleByArgument {
    let bytes: UInt64

    init?(argument: String) {
        let s = argument.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        if let last = s.last, let unit = units[last], let n = UInt64(s.dropLast()), n > 0, n <= UInt64.max / unit {
            bytes = n * unit
        } else if let n = UInt64(s), n > 0, n <= UInt64.max >> 20 {
            bytes = n << 20
        } else {
            return nil
        }
    }
}

/// Parses a hexadecimal (0x...) or decimal address.
func parseAddress(_ s: String) -> UInt64? {
    let t = s.lowercased()
    if t.hasPrefix("0x") { return UInt64(t.dropFirst(2), radix: 16) }
    return UInt64(t)
}

/// `--load FILE@ADDR`.
struct LoadSpec: ExpressibleByArgument {
    let path: String
    let address: UInt64

    init?(argument: String) {
        guard let at = argument.lastIndex(of: "@") else { return nil }
        let path = String(argument[..<at])
        guard !path.isEmpty, let addr = parseAddress(String(argument[argument.index(after: at)...])) else { return nil }
        self.path = path
        self.address = addr
    }

    static var defaultCompletionKind: CompletionKind { .file() }
}

enum BoardName: String, ExpressibleByArgument, CaseIterable {
    case virt, fvp, rpi3, espressobin
}

/// `--serial stdio|file:PATH`.
enum SerialTarget: ExpressibleByArgument {
    case stdio
    case file(String)

    init?(argument: String) {
        if argument == "stdio" { self = .stdio; return }
        if argument.hasPrefix("file:"), argument.count > 5 { self = .file(String(argument.dropFirst(5))); return }
        return nil
    }
}

/// `--trace exec|exc|mmio[,...][:FILE]`.
struct TraceSpec: ExpressibleByArgument {
    let kinds: Tracer.Kinds
    let path: String?

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1)
        var kinds: Tracer.Kinds = []
        for k in parts[0].split(separator: ",") {
            switch k {
            case "exec": kinds.insert(.exec)
            case "exc": kinds.insert(.exceptions)
            case "mmio": kinds.insert(.mmio)
            default: return nil
            }
        }
        guard !kinds.isEmpty else { return nil }
        self.kinds = kinds
        self.path = parts.count > 1 ? String(parts[1]) : nil
    }
}

/// `--drive file=PATH[,mode=ro|rw|snapshot]`.
struct DriveSpec: ExpressibleByArgument {
    let path: String
    let mode: DiskImage.Mode

    init?(argument: String) {
        var path: String?
        var mode = DiskImage.Mode.readWrite
        for part in argument.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { return nil }
            switch kv[0] {
            case "file": path = kv[1]
            case "mode": guard let m = DiskImage.Mode(rawValue: kv[1]) else { return nil }; mode = m
            default: return nil
            }
        }
        guard let p = path, !p.isEmpty else { return nil }
        self.path = p
        self.mode = mode
    }
}

/// `--device virtio-blk-pci,drive=FILE[,mode=ro|rw|snapshot]`, `virtio-net-pci` (the `--net`
/// device on PCI) or `virtio-console-pci` (hvc0 on PCI): virtio-pci functions, as QEMU's -device.
struct DeviceSpec: ExpressibleByArgument {
    let device: MachineConfig.PCIDevice

    init?(argument: String) {
        let parts = argument.split(separator: ",").map(String.init)
        guard let kind = parts.first else { return nil }
        var path: String?
        var mode = DiskImage.Mode.readWrite
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { return nil }
            switch kv[0] {
            case "drive", "file": path = kv[1]
            case "mode": guard let m = DiskImage.Mode(rawValue: kv[1]) else { return nil }; mode = m
            default: return nil
            }
        }
        switch kind {
        case "virtio-blk-pci":
            guard let p = path, !p.isEmpty else { return nil }
            device = .block(path: p, mode: mode)
        case "virtio-net-pci": guard path == nil else { return nil }; device = .net
        case "virtio-console-pci": guard path == nil else { return nil }; device = .console
        default: return nil
        }
    }
}

/// `--gdb tcp::PORT`, `tcp:HOST:PORT` or `PORT` (QEMU's -gdb forms); port 0 picks a free one.
struct GDBSpec: ExpressibleByArgument {
    let host: String
    let port: Int

    init?(argument: String) {
        var rest = Substring(argument)
        if rest.hasPrefix("tcp:") { rest = rest.dropFirst(4) }
        let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let hostPart = parts.count == 2 ? parts[0] : ""
        guard let port = Int(parts.last ?? ""), (0...65535).contains(port) else { return nil }
        host = hostPart.isEmpty ? "127.0.0.1" : String(hostPart)
        self.port = port
    }
}

/// `--timing simple|a53`.
extension TimingMode: ExpressibleByArgument {}

/// `--engine jit|interpret`.
extension MachineConfig.Engine: ExpressibleByArgument {}

/// `--gic v2|v3`.
enum GICVersion: String, CaseIterable, ExpressibleByArgument {
    case v2, v3
    var architecture: GICv3.Architecture { self == .v2 ? .v2 : .v3 }
}

/// `--stats-format`.
enum StatsFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json
}
