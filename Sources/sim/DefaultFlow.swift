import Foundation
import Simulator

/// `sim --board B` with nothing to run: the board's default flow, the one `make run` starts --
/// the Minos hypervisor with the default scenario's two Linux VMs -- when the project tree this
/// binary was built in has its images; otherwise one line saying which command builds them.
enum DefaultFlow {
    static let scenario = "linux-pair"

    /// The project checkout above the running binary (.build/<config>/sim), if there is one.
    static func projectRoot() -> URL? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("scripts/run-scenario.sh").path),
               FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// Replaces this process with the scenario runner, or throws the one-line reason it cannot.
    static func run(board: String) throws -> Never {
        guard let root = projectRoot() else {
            throw SimError.config("nothing to run: give --kernel FILE or --load FILE@ADDR (the default flow needs the project checkout this sim was built in)")
        }
        let scenarioDir = root.appendingPathComponent("images/scenarios/\(scenario)")
        guard FileManager.default.fileExists(atPath: scenarioDir.appendingPathComponent("\(board).dtsi").path) else {
            throw SimError.config("nothing to run: board \(board) has no default flow yet (no images/scenarios/\(scenario)/\(board).dtsi); give --kernel FILE or --load FILE@ADDR")
        }
        let build = root.appendingPathComponent("build")
        let needed = ["\(board)/minos.bin"] + loads(scenarioDir, board: board)
        guard needed.allSatisfy({ FileManager.default.fileExists(atPath: build.appendingPathComponent($0).path) }) else {
            throw SimError.config("nothing to run: the default flow on \(board) (Minos with two Linux VMs) is not built; run 'make images hypervisor BOARD=\(board)' first, or give --kernel FILE")
        }
        let script = root.appendingPathComponent("scripts/run-scenario.sh").path
        return try exec(script, [build.path, board, scenario])
    }

    /// The files under build/ the scenario's `loads` list names for `board` (`<board> <file> <addr>`).
    static func loads(_ dir: URL, board: String) -> [String] {
        guard let text = try? String(contentsOf: dir.appendingPathComponent("loads"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let w = line.split(separator: " ", omittingEmptySubsequences: true)
            return w.count >= 3 && w[0] == board ? String(w[1]) : nil
        }
    }

    private static func exec(_ script: String, _ rest: [String]) throws -> Never {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let argv = [script, me] + rest
        var cargs = argv.map { strdup($0) } + [nil]
        execv(script, &cargs)
        throw SimError.config("cannot start \(script): \(String(cString: strerror(errno)))")
    }
}
