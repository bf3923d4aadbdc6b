public import Foundation

/// A topology file that cannot be used; start-up stops with it.
public struct TopologyError: Error, CustomStringConvertible, Sendable {
    /// The file, or `built-in default`.
    public var source: String
    /// The entry at fault, for example `families[1].queues[0].prefetch`.
    public var entry: String
    public var problem: String

    public var description: String {
        "topology \(source): \(entry): \(problem)"
    }
}

extension Topology {
    /// Reads and validates the topology at `path`, or returns the validated default when `path` is nil.
    public static func load(path: String?) throws -> Topology {
        guard let path else {
            try Topology.default.validate(source: "built-in default")
            return .default
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TopologyError(source: path, entry: "file", problem: "cannot be read (\(error.localizedDescription))")
        }
        return try decode(data, source: path)
    }

    /// Decodes and validates topology JSON; `source` names it in errors.
    public static func decode(_ data: Data, source: String) throws -> Topology {
        let topology: Topology
        do {
            topology = try JSONDecoder().decode(Topology.self, from: data)
        } catch let error as DecodingError {
            throw TopologyError(source: source, entry: error.entryPath, problem: error.problem)
        }
        try topology.validate(source: source)
        return topology
    }
}

extension DecodingError {
    var entryPath: String {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            path = []
        }
        guard !path.isEmpty else { return "document" }
        return path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }
            .joined().drop(while: { $0 == "." }).description
    }

    var problem: String {
        switch self {
        case .keyNotFound: return "is required but missing"
        case .typeMismatch(let type, _): return "has the wrong type (expected \(type))"
        case .valueNotFound(let type, _): return "is null (expected \(type))"
        case .dataCorrupted(let context): return context.debugDescription
        @unknown default: return "cannot be decoded"
        }
    }
}
