import Foundation

/// The files of a spool directory that hold records, by role: segments, then whole segments an older build
/// quarantined, copies of damaged segments, and set-aside records.
enum SpoolDirectory {
    static let quarantinedSuffix = ".quarantined"

    /// Paths relative to `directory`, sorted within each role.
    static func files(_ directory: String) throws(SpoolError) -> [(path: String, role: SpoolInspection.Role)] {
        var files: [(String, SpoolInspection.Role)] = []
        let top = try names(directory, required: true)
        files += top.filter { SpoolSegment.id(fromFileName: $0) != nil }.map { ($0, .segment) }
        files += top.filter { $0.hasSuffix(SpoolSegment.suffix + quarantinedSuffix) }.map { ($0, .quarantined) }
        files += try names(directory + "/" + SpoolDamage.folder, required: false)
            .filter { SpoolSegment.id(fromFileName: $0) != nil }
            .map { (SpoolDamage.folder + "/" + $0, .damagedCopy) }
        files += try setAside(directory).map { ($0.path, $0.reason == .refused ? .refused : .undecodable) }
        return files
    }

    /// The set-aside files (relative paths) and why their records were set aside.
    static func setAside(_ directory: String) throws(SpoolError) -> [(path: String, reason: SpoolSetAside.Reason)] {
        try names(directory + "/" + SpoolSetAside.folder, required: false).compactMap { name in
            guard name.hasSuffix(SpoolSegment.suffix),
                let reason = SpoolSetAside.Reason.allCases.first(where: { name.hasPrefix($0.rawValue + "-") })
            else { return nil }
            return (SpoolSetAside.folder + "/" + name, reason)
        }
    }

    private static func names(_ path: String, required: Bool) throws(SpoolError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            if !required { return [] }
            throw SpoolError(code: .io, message: "\(path) is not a directory; give the gateway's SPOOL_DIR")
        }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw SpoolError(code: .io, message: "cannot list \(path); check its permissions", cause: error)
        }
    }
}
