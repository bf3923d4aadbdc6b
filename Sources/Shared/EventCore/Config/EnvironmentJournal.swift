import Synchronization

/// What an `Environment` and its copies have read and rejected so far, shared by reference so that every
/// configuration struct parsed from one environment adds to the same record.
final class EnvironmentJournal: Sendable {
    private struct State {
        var reads: [EnvironmentRead] = []
        var names: Set<String> = []
        var errors: [ConfigurationError] = []
    }

    /// True: bad values are recorded and parsing goes on; false: they are thrown at once.
    let collectsErrors: Bool
    private let state = Mutex(State())

    init(collectsErrors: Bool) {
        self.collectsErrors = collectsErrors
    }

    /// Records the first read of `name` with the default the parser states for it.
    func read(_ name: String, default defaultText: String) {
        state.withLock { state in
            guard state.names.insert(name).inserted else { return }
            state.reads.append(EnvironmentRead(name: name, defaultValue: defaultText))
        }
    }

    func record(_ error: ConfigurationError) {
        state.withLock { $0.errors.append(error) }
    }

    var reads: [EnvironmentRead] { state.withLock { $0.reads } }
    var errors: [ConfigurationError] { state.withLock { $0.errors } }
}
