// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The simulator's hot path lives in one module (release builds use whole-module optimisation);
/// exclusivity checks are off there because CPU state is reached through raw pointers. Debug
/// builds optimise these two modules too (keeping -g), so `swift run sim` runs at release speed;
/// their checks are preconditions and overflow traps, which -O keeps (they use no assert()).
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"]),
    .unsafeFlags(["-O", "-wmo", "-num-threads", "2"], .when(configuration: .debug)),
]

/// Sources of the hypervisor that build for the host (see the HypervisorCore target); every other
/// file under Sources/Hypervisor belongs to the Embedded Swift build only.
let hypervisorHostSources = ["Arch/ESR.swift", "Arch/PageTables.swift", "Arch/Stage2.swift", "Core/PageAllocator.swift",
                             "Arch/ListRegister.swift", "Arch/GICv2ListRegister.swift", "Arch/StreamTableEntry.swift",
                             "Virt/MMIO.swift", "Virt/MMIORegistry.swift", "Virt/VirtualBCM2836.swift", "Core/Ramdisk.swift", "Host"]
let hypervisorEmbeddedOnly: [String] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/Hypervisor").path
    guard let walk = FileManager.default.enumerator(atPath: root) else { return [] }
    return walk.compactMap { $0 as? String }.filter { path in
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir)
        return exists && !isDir.boolValue && !hypervisorHostSources.contains { path == $0 || path.hasPrefix($0 + "/") }
    }
}()

let package = Package(
    name: "Minos",
    products: [
        .executable(name: "sim", targets: ["sim"]),
        .library(name: "Simulator", targets: ["Simulator"]),
        .library(name: "Devices", targets: ["Devices"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CFDT", path: "Sources/CFDT"),
        .systemLibrary(name: "CELF", path: "Sources/CELF", pkgConfig: "libelf"),
        .systemLibrary(name: "CSlirp", path: "Sources/CSlirp"),
        .systemLibrary(name: "CHost", path: "Sources/CHost"),
        .target(name: "Devices", dependencies: ["CFDT", "CSlirp"], swiftSettings: hotPath),
        .target(name: "Simulator", dependencies: ["Devices", "CFDT", "CELF", "CHost"], exclude: ["FP/README.md"], swiftSettings: hotPath),
        .executableTarget(
            name: "sim",
            dependencies: ["Simulator", "Devices", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Hardware-independent parts of the hypervisor (stage-2 tables, descriptors, syndrome
        // decoding, the page allocator) built for the host against a fake `Arch`
        // (Sources/Hypervisor/Host), so they get unit tests; minos.elf itself is built by the Makefile.
        .target(name: "HypervisorCore", path: "Sources/Hypervisor", exclude: hypervisorEmbeddedOnly, sources: hypervisorHostSources),
        .testTarget(name: "HypervisorCoreTests", dependencies: ["HypervisorCore", "Simulator", "Devices"]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Devices"]),
    ],
    swiftLanguageModes: [.v5]
)
