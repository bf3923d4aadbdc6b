import Foundation
import Testing

/// Runs the system protoc on `Protos/` to check our bytes against the reference implementation.
enum Protoc {
    static let path = "/usr/bin/protoc"

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Under CI=true a missing protoc fails the tests instead of skipping them.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Package root: this file is Tests/EventWireTests/Protoc.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func decode(_ bytes: [UInt8], as type: String) throws -> String {
        String(decoding: try run(["--decode=\(type)"], input: bytes), as: UTF8.self)
    }

    static func encode(_ text: String, as type: String) throws -> [UInt8] {
        try run(["--encode=\(type)"], input: Array(text.utf8))
    }

    private static func run(_ mode: [String], input: [UInt8]) throws -> [UInt8] {
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("protoc-\(UUID()).in")
        try Data(input).write(to: inputFile)
        defer {
            do { try FileManager.default.removeItem(at: inputFile) } catch {
                Issue.record("could not remove \(inputFile.path): \(error)")
            }
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        let protos = packageRoot.appendingPathComponent("Protos").path
        process.arguments = mode + ["-I", protos, "event.proto", "health.proto"]
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ProtocFailure(status: process.terminationStatus, stderr: String(decoding: stderr, as: UTF8.self))
        }
        return [UInt8](stdout)
    }
}

struct ProtocFailure: Error, CustomStringConvertible {
    let status: Int32
    let stderr: String

    var description: String { "protoc exited with \(status): \(stderr)" }
}
