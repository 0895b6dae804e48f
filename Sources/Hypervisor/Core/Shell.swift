/// The console multiplexer: input goes to the focused VM's vUART; the escape
/// key (Ctrl-]) switches to a small shell with `vm list`, `vm console N`, `ps`.
struct Shell {
    static let escape: UInt8 = 0x1D
    var active = false
    var focus: Int? = nil          // vmid receiving console input
    var line: [UInt8] = []
}

extension Hypervisor {
    /// The VM console input goes to: the one chosen with `vm console N` while
    /// it runs, else the first running VM.
    var focusedVM: VM? {
        if let id = shell.focus, let vm = vms.first(where: { $0.id == id && !$0.stopped }) { return vm }
        return vms.first { !$0.stopped }
    }

    func consoleInput(_ byte: UInt8) {
        if byte == Shell.escape {
            shell.active = true
            shell.line.removeAll()
            Console.prompt("minos> ")
            return
        }
        guard shell.active else {
            focusedVM?.vuart.receive(byte)
            return
        }
        if byte == 13 || byte == 10 {
            Console.closeLine()                         // Enter ends the prompt line
            let command = shell.line
            shell.line.removeAll()
            runShellCommand(command)
            if shell.active { Console.prompt("minos> ") }
        } else if byte == 8 || byte == 127 {
            if !shell.line.isEmpty { shell.line.removeLast(); Console.writeRaw("\u{8} \u{8}") }
        } else if byte >= 32 && byte < 127 {
            shell.line.append(byte)
            Console.uart.put(byte)
        }
    }

    /// Commands are matched as bytes: String comparison may reach the
    /// Unicode tables, which use SIMD, and a guest's FP state is live here.
    func runShellCommand(_ command: [UInt8]) {
        let words = command.split(separator: 32).map { Array($0) }
        func word(_ i: Int, _ s: StaticString) -> Bool {
            i < words.count && s.withUTF8Buffer { words[i].elementsEqual($0) }
        }
        switch true {
        case words.isEmpty: return
        case word(0, "vm") && word(1, "list"):
            for vm in vms {
                Console.line("vm\(vm.id) \(vm.name) type=\(vm.config.type) vcpus=\(vm.vcpus.count) \(vm.stopped ? "stopped" : "running")")
            }
        case word(0, "vm") && word(1, "console") && words.count == 3:
            guard let n = decimal(words[2]), vms.contains(where: { $0.id == n && !$0.stopped }) else {
                Console.line("no running VM with that id")
                return
            }
            shell.focus = n
            shell.active = false
            Console.line("console input now goes to vm\(n); Ctrl-] returns to the shell")
            showFocusedPrompt()
        case word(0, "ps"):
            for cpu in cpus {
                for v in cpu.vcpus {
                    let state = v.vm.stopped ? "stopped" : v.power == .off ? "off" : v.waiting ? "wfi" : cpu.current === v ? "running" : "ready"
                    Console.line("pcpu\(cpu.index) vm\(v.vm.id).vcpu\(v.index) \(state)")
                }
            }
        case word(0, "exit"):
            shell.active = false
            showFocusedPrompt()
        default:
            Console.line("commands: vm list | vm console N | ps | exit")
        }
    }
}

extension Hypervisor {
    /// Leaving the shell: show what the focused VM's shell last printed (its prompt).
    func showFocusedPrompt() {
        guard let vm = focusedVM else { return }
        for v in vm.vcpus { vm.vuart.showPartial(vcpu: v.index) }
    }
}

/// A non-negative decimal number spelled in ASCII digits.
func decimal(_ bytes: [UInt8]) -> Int? {
    guard !bytes.isEmpty, bytes.count < 10 else { return nil }
    var v = 0
    for b in bytes {
        guard b >= 48 && b <= 57 else { return nil }
        v = v * 10 + Int(b - 48)
    }
    return v
}
