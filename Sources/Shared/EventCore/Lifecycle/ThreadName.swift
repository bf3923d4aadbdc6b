import Foundation

/// Names the calling thread as `ps`, `top` and debuggers show it (at most 15 bytes on Linux). Set from inside
/// the thread: on Linux a `Thread.name` set before `start()` does not reach the OS thread.
public func nameCurrentThread(_ name: String) {
    precondition(name.utf8.count <= 15, "thread names are limited to 15 bytes")
    Thread.current.name = name
}
