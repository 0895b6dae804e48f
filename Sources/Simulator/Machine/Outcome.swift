/// How a simulation ended; the CLI maps these to exit codes.
public enum Outcome: Equatable {
    /// The guest called PSCI SYSTEM_OFF.
    case poweredOff
    /// The guest called PSCI SYSTEM_RESET (the simulator does not reboot; like QEMU's -no-reboot).
    case reset
    /// A console line matched `--expect`.
    case expectMatched(String)
    /// A console line matched `--fail-on`.
    case failMatched(String)
    /// `--max-insns` instructions retired.
    case instructionLimit
    /// Every core waits and nothing can wake one.
    case deadlock
    /// The guest used a feature the simulator does not implement yet.
    case limitation(String)
    /// Interrupted by the user (Ctrl-A X, SIGINT).
    case interrupted
}
