import Foundation

/// Runs blocking `body` (an accept loop, a C library's wait) on a new named thread, so that it never occupies a
/// thread of Swift's cooperative pool, and resumes when it returns or throws.
public func runOnDedicatedThread(named name: String, _ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let thread = Thread {
            nameCurrentThread(name)
            do {
                try body()
                continuation.resume()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.start()
    }
}
