// swift-tools-version:6.0
import PackageDescription

/// The simulator's hot path lives in one module (release builds use whole-module optimisation);
/// exclusivity checks are off there because CPU state is reached through raw pointers.
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"]),
]

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
        .target(name: "Devices", dependencies: ["CFDT", "CSlirp"], swiftSettings: hotPath),
        .target(name: "Simulator", dependencies: ["Devices", "CFDT", "CELF"], exclude: ["FP/README.md"], swiftSettings: hotPath),
        .executableTarget(
            name: "sim",
            dependencies: ["Simulator", "Devices", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "DevicesTests", dependencies: ["Devices"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "Devices"]),
    ],
    swiftLanguageModes: [.v5]
)
