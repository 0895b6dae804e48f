/// Errors the simulator reports to its user: each message names the file, option or address.
public enum SimError: Error, CustomStringConvertible {
    /// A file that cannot be used (missing, truncated, wrong format).
    case file(path: String, problem: String)
    /// An option or board configuration that cannot be satisfied.
    case config(String)
    /// The host could not provide a resource.
    case resource(String)

    public var description: String {
        switch self {
        case .file(let path, let problem): return "\(path): \(problem)"
        case .config(let message), .resource(let message): return message
        }
    }
}
