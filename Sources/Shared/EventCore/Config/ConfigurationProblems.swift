/// Collects every configuration problem of a start-up instead of stopping at the first: each part of the settings
/// is read through `attempt`, and `check(with:)` throws them all together (the environment's own first).
///
/// Used on one thread while the settings load; not shared.
public final class ConfigurationProblems {
    private var problems: [String] = []

    public init() {}

    /// The value `read` returns, or nil with its error recorded.
    public func attempt<Value>(_ read: () throws -> Value) -> Value? {
        do {
            return try read()
        } catch let error as ConfigurationError {
            problems.append(error.problem)
        } catch {
            problems.append("\(error)")
        }
        return nil
    }

    /// Throws every problem recorded, after those `environment` collected while it was read.
    public func check(with environment: Environment) throws(ConfigurationErrors) {
        let all = environment.errors.map(\.problem) + problems
        guard all.isEmpty else { throw ConfigurationErrors(all) }
    }
}
