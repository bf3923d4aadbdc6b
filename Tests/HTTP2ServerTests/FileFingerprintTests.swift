import Foundation
import Testing

@testable import HTTP2Server

@Suite struct FileFingerprintTests {
    @Test func changesWhenAFileIsReplacedRewrittenOrAppears() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fingerprint-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem")
        let key = directory.appendingPathComponent("key.pem")
        let paths = [certificate.path, key.path]
        let nothing = FileFingerprint(paths: paths)
        try Data("one".utf8).write(to: certificate)
        let certificateOnly = FileFingerprint(paths: paths)
        #expect(certificateOnly != nothing)
        #expect(FileFingerprint(paths: paths) == certificateOnly, "nothing changed: the same fingerprint")
        try Data("key".utf8).write(to: key)
        let both = FileFingerprint(paths: paths)
        #expect(both != certificateOnly)
        // Replaced by rename (a new inode), as certificate managers do.
        let next = directory.appendingPathComponent("next.pem")
        try Data("two".utf8).write(to: next)
        #expect(rename(next.path, certificate.path) == 0)
        #expect(FileFingerprint(paths: paths) != both)
    }
}
