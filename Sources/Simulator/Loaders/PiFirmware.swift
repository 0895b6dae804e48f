import Foundation

/// The Raspberry Pi's GPU firmware (start.elf) as far as the ARM sees it: it reads config.txt
/// from the SD card's FAT boot partition, loads `kernel=` at `kernel_address`, the device tree
/// (`device_tree=`, else the board's upstream tree) at `device_tree_address`, an `initramfs FILE
/// [ADDR|followkernel]`, takes the command line from cmdline.txt, then starts the cores through
/// its armstub: EL2, spin table (raspberrypi/documentation, "config.txt" and "The boot folder").
/// Only what the ARM side can observe is modelled; the VideoCore's own boot is not.
public enum PiFirmware {
    /// Current firmware's default 64-bit kernel file. Its default `kernel_address` is the board's:
    /// `imageBase` for an arm64 Image (0x200000), `rawKernelBase` for anything else (0x80000).
    static let defaultKernel = "kernel8.img"

    /// BootOptions for what the card says; the files live in `options.files` under "sd:NAME".
    public static func options(card path: String, board: BoardSpec) throws -> BootOptions {
        func fail(_ s: String) -> SimError { SimError.file(path: path, problem: s) }
        let fat: FATVolume
        do { fat = try FATVolume(image: path) } catch let p as FATVolume.Problem {
            throw fail("no boot partition the Pi firmware can read: \(p.description)")
        }
        func file(_ name: String, for what: String) throws -> [UInt8] {
            do {
                guard let data = try fat.file(name) else { throw fail("\(what) \(name) is not on the boot partition") }
                return data
            } catch let p as FATVolume.Problem { throw fail("reading \(name): \(p.description)") }
        }
        let config = String(decoding: try file("config.txt", for: "the firmware's configuration"), as: UTF8.self)
        let settings = parse(config)
        guard settings["arm_64bit"] == "1" else {
            throw fail("config.txt does not set arm_64bit=1: the firmware would start a 32-bit kernel, which the simulator does not run")
        }
        var o = BootOptions()
        let kernelName = settings["kernel"] ?? defaultKernel
        let kernel = try file(kernelName, for: "config.txt's kernel")
        guard !kernel.isEmpty else { throw fail("the kernel \(kernelName) is empty") }
        let fallback = (ImageLoader.isImage(kernel) ? board.imageBase : board.rawKernelBase) ?? 0x8_0000
        let kernelAddress = try settings["kernel_address"].map { try number($0, "kernel_address", path) } ?? fallback
        o.files["sd:" + kernelName] = kernel
        o.loads = [("sd:" + kernelName, kernelAddress)]
        if let name = settings["device_tree"], !name.isEmpty {
            o.files["sd:" + name] = try file(name, for: "config.txt's device_tree")
            o.dtb = "sd:" + name
        }
        if let a = settings["device_tree_address"] { o.dtbAddress = try number(a, "device_tree_address", path) }
        if let line = settings["initramfs"] {
            let words = line.split(separator: " ").map(String.init)
            guard let name = words.first else { throw fail("config.txt: initramfs names no file") }
            o.files["sd:" + name] = try file(name, for: "config.txt's initramfs")
            o.initrd = "sd:" + name
            if words.count > 1, words[1] != "followkernel" {
                o.initrdAddress = try number(words[1], "initramfs", path)
            } else {
                o.initrdAddress = (kernelAddress + UInt64(kernel.count) + 0xFFF) & ~0xFFF
            }
        }
        if let cmdline = try? fat.file("cmdline.txt") {
            o.append = String(decoding: cmdline, as: UTF8.self).split(separator: "\n").first.map(String.init)
        }
        return o
    }

    /// config.txt: `key=value` lines and `initramfs FILE ADDR`; `#` comments; conditional
    /// sections apply when they name all boards or the Pi 3 ([all], [pi3], [pi3+]).
    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var applies = true
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                let filter = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
                applies = ["all", "pi3", "pi3+"].contains(filter)
                continue
            }
            guard applies else { continue }
            if line.hasPrefix("initramfs ") {
                out["initramfs"] = String(line.dropFirst(10)).trimmingCharacters(in: .whitespaces)
            } else if let eq = line.firstIndex(of: "=") {
                out[line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return out
    }

    static func number(_ s: String, _ key: String, _ path: String) throws -> UInt64 {
        let v = s.lowercased().hasPrefix("0x") ? UInt64(s.dropFirst(2), radix: 16) : UInt64(s)
        guard let v else { throw SimError.file(path: path, problem: "config.txt: \(key) '\(s)' is not a number") }
        return v
    }
}
