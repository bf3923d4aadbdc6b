import Synchronization

/// Races a call against its `grpc-timeout`.
///
/// The answer is whichever finishes first. A call that loses keeps running to its end (a publish in flight is
/// not torn down half-way); the client has its DEADLINE_EXCEEDED and may retry: event ids make that safe.
enum GRPCDeadline {
    static func run<Value: Sendable>(
        within timeout: Duration?,
        _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        guard let timeout else { return try await body() }
        let race = Race<Value>()
        return try await withCheckedThrowingContinuation { continuation in
            race.arm(continuation)
            Task { race.finish(with: await Result(catching: body)) }
            Task {
                try await Task.sleep(for: timeout)
                race.finish(with: .failure(GRPCStatus(.deadlineExceeded, "the call's deadline (\(timeout)) passed")))
            }
        }
    }
}

/// Resumes its continuation once, with the first result offered.
private final class Race<Value: Sendable>: Sendable {
    private let state = Mutex<(CheckedContinuation<Value, any Error>?, Result<Value, any Error>?)>((nil, nil))

    func arm(_ continuation: CheckedContinuation<Value, any Error>) {
        let early = state.withLock { state -> Result<Value, any Error>? in
            if let result = state.1 { return result }
            state.0 = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func finish(with result: Result<Value, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            guard state.1 == nil else { return nil }
            state.1 = result
            defer { state.0 = nil }
            return state.0
        }
        continuation?.resume(with: result)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
