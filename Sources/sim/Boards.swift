import ArgumentParser
import Foundation
import Simulator

/// `sim boards`: the modelled boards, a line each, so they can be discovered without the source.
struct Boards: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the modelled boards (CPUs, RAM, interrupt controller, UARTs, what boots).")

    func run() throws {
        for name in BoardName.allCases.map(\.rawValue) {
            print(Boards.describe(BoardSpec.all[name]!))
        }
    }

    static func describe(_ b: BoardSpec) -> String {
        let ghz = String(format: "%.1f", Double(b.cpuHz) / 1e9)
        let irq: String
        switch b.interruptController {
        case .gicv3: irq = "GICv3 (\(b.gic?.spiCount ?? 0) SPIs)"
        case .bcm2836: irq = "BCM2836 local + BCM2835 armctrl, no GIC"
        }
        // What options add: --gic v2, --its, --device *-pci, --iommu smmuv3.
        var options: [String] = []
        if b.gicv2 != nil { options.append("--gic v2") }
        if b.gic?.its != nil { options.append("--its") }
        if b.pcie != nil { options.append("--device *-pci") }
        if b.smmu != nil { options.append("--iommu smmuv3") }
        let extra = options.isEmpty ? "" : "; with \(options.joined(separator: ", "))"
        let uartModels: [BoardSpec.DeviceModel] = [.pl011, .bcm2835AuxUART, .armada3700UART]
        let uarts = b.uarts.map { "PL011@\(String($0.base, radix: 16))" }
            + b.devices.filter { uartModels.contains($0.model) }.map { "\($0.model.rawValue)@\(String($0.base, radix: 16))" }
        return "\(b.name): \(b.model); \(b.maxCPUs > 1 ? "1-\(b.maxCPUs)" : "1") x Cortex-A53 at \(ghz) GHz, RAM \(b.defaultRAM >> 20) MiB "
            + "(up to \(b.maxRAM >> 20) MiB) at 0x\(String(b.ramBase, radix: 16)); \(irq)\(extra); UARTs \(uarts.joined(separator: ", ")); boots \(b.boots)"
    }
}
