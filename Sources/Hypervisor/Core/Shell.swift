/// The console multiplexer: input goes to the focused VM's vUART; the escape
/// key (Ctrl-]) switches to a small shell with `vm list`, `vm console N`, `ps`.
struct Shell {
    static let escape: UInt8 = 0x1D
    var active = false
    var focus: Int? = nil          // vmid receiving console input
    var line: [UInt8] = []
}

extension Hypervisor {
    func consoleInput(_ byte: UInt8) {
        if byte == Shell.escape {
            shell.active = true
            shell.line.removeAll()
            Console.writeRaw("\nminos> ")
            return
        }
        guard shell.active else {
            if let id = shell.focus ?? vms.first(where: { !$0.stopped })?.id,
               let vm = vms.first(where: { $0.id == id && !$0.stopped }) {
                vm.vuart.receive(byte)
            }
            return
        }
        if byte == 13 || byte == 10 {
            Console.writeRaw("\n")
            let command = String(decoding: shell.line, as: UTF8.self)
            shell.line.removeAll()
            runShellCommand(command)
            if shell.active { Console.writeRaw("minos> ") }
        } else if byte == 8 || byte == 127 {
            if !shell.line.isEmpty { shell.line.removeLast(); Console.writeRaw("\u{8} \u{8}") }
        } else if byte >= 32 && byte < 127 {
            shell.line.append(byte)
            Console.writeRaw(String(decoding: [byte], as: UTF8.self))
        }
    }

    func runShellCommand(_ command: String) {
        let words = command.split(separator: " ").map { String($0) }
        switch words.first {
        case nil: return
        case "vm" where words.count >= 2 && words[1] == "list":
            for vm in vms {
                Console.line("vm\(vm.id) \(vm.name) type=\(vm.config.type) vcpus=\(vm.vcpus.count) \(vm.stopped ? "stopped" : "running")")
            }
        case "vm" where words.count == 3 && words[1] == "console":
            guard let n = Int(words[2]), vms.contains(where: { $0.id == n && !$0.stopped }) else {
                Console.line("no running VM \(words[2])")
                return
            }
            shell.focus = n
            shell.active = false
            Console.line("console input now goes to vm\(n); Ctrl-] returns to the shell")
        case "ps":
            for cpu in cpus {
                for v in cpu.vcpus {
                    let state = v.vm.stopped ? "stopped" : v.power == .off ? "off" : v.waiting ? "wfi" : cpu.current === v ? "running" : "ready"
                    Console.line("pcpu\(cpu.index) vm\(v.vm.id).vcpu\(v.index) \(state)")
                }
            }
        case "exit", "quit":
            shell.active = false
        default:
            Console.line("commands: vm list | vm console N | ps | exit")
        }
    }
}
