extension Topology {
    /// Checks every rule a worker or the gateway relies on; the error names the entry and the problem.
    public func validate(source: String) throws {
        func fail(_ entry: String, _ problem: String) -> TopologyError {
            TopologyError(source: source, entry: entry, problem: problem)
        }
        guard Self.isValidName(exchange.name) else {
            throw fail("exchange.name", "\"\(exchange.name)\" is not a valid name (letters, digits, . _ -)")
        }
        guard ["topic", "direct", "fanout"].contains(exchange.type) else {
            throw fail("exchange.type", "\"\(exchange.type)\" is not one of topic, direct, fanout")
        }
        guard !families.isEmpty else { throw fail("families", "must list at least one family") }
        var familyNames = Set<String>()
        var queueNames = Set<String>()
        for (f, family) in families.enumerated() {
            let at = "families[\(f)]"
            guard Self.isValidName(family.name), familyNames.insert(family.name).inserted else {
                throw fail("\(at).name", "\"\(family.name)\" is invalid or used twice")
            }
            guard Self.isValidIdentifier(family.database) else {
                throw fail(
                    "\(at).database",
                    "\"\(family.database)\" is not a ClickHouse identifier ([A-Za-z_][A-Za-z0-9_]*)"
                )
            }
            guard !family.queues.isEmpty else { throw fail("\(at).queues", "must list at least one queue") }
            for (q, queue) in family.queues.enumerated() {
                let qat = "\(at).queues[\(q)]"
                guard Self.isValidName(queue.name), queueNames.insert(queue.name).inserted else {
                    throw fail("\(qat).name", "\"\(queue.name)\" is invalid or used twice")
                }
                guard !queue.name.hasSuffix(".dlq"), !queue.name.contains(".retry.") else {
                    throw fail(
                        "\(qat).name",
                        "\"\(queue.name)\" ends in .dlq or contains .retry. (names kept for "
                            + "the dead-letter and retry queues)"
                    )
                }
                guard !queue.bindings.isEmpty, queue.bindings.allSatisfy(Self.isValidBinding) else {
                    throw fail("\(qat).bindings", "must list routing-key patterns (letters, digits, . _ - * #)")
                }
                guard (1...256).contains(queue.consumers) else {
                    throw fail("\(qat).consumers", "\(queue.consumers) is not between 1 and 256")
                }
                guard (1...65535).contains(queue.prefetch) else {
                    throw fail("\(qat).prefetch", "\(queue.prefetch) is not between 1 and 65535")
                }
                guard Self.isValidIdentifier(queue.table) else {
                    throw fail(
                        "\(qat).table",
                        "\"\(queue.table)\" is not a ClickHouse identifier ([A-Za-z_][A-Za-z0-9_]*)"
                    )
                }
                if let problem = queue.retry.problem {
                    throw fail("\(qat).retry", problem)
                }
                if let (key, problem) = queue.batchProblem() { throw fail("\(qat).\(key)", problem) }
            }
        }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200
            && name.unicodeScalars.allSatisfy { isNameScalar($0) }
    }

    static func isValidBinding(_ pattern: String) -> Bool {
        !pattern.isEmpty && pattern.utf8.count <= 255
            && pattern.unicodeScalars.allSatisfy { isNameScalar($0) || $0 == "*" || $0 == "#" }
    }

    static func isValidIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 64 else { return false }
        let isLetter: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "." || scalar == "_" || scalar == "-"
    }
}
