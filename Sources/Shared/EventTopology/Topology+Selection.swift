extension Topology {
    /// The family `name`, narrowed to `queues` when any are named; the error lists what exists.
    public func selectFamily(_ name: String, queues: [String]) throws -> Family {
        guard var selected = family(named: name) else {
            throw TopologyError(
                source: "arguments",
                entry: "--family \(name)",
                problem: "no such family; the topology has \(families.map(\.name).joined(separator: ", "))"
            )
        }
        guard !queues.isEmpty else { return selected }
        let known = Set(selected.queues.map(\.name))
        if let unknown = queues.first(where: { !known.contains($0) }) {
            throw TopologyError(
                source: "arguments",
                entry: "--queue \(unknown)",
                problem: "not a queue of family \(name); it has \(selected.queues.map(\.name).joined(separator: ", "))"
            )
        }
        selected.queues = selected.queues.filter { queues.contains($0.name) }
        return selected
    }
}

extension Topology {
    /// The queue `name` of any family; the error lists the queues that exist.
    public func queue(named name: String) throws(TopologyError) -> Queue {
        let queues = families.flatMap(\.queues)
        guard let queue = queues.first(where: { $0.name == name }) else {
            throw TopologyError(
                source: "arguments",
                entry: "--queue \(name)",
                problem: "not a queue of the topology; it has \(queues.map(\.name).joined(separator: ", "))"
            )
        }
        return queue
    }
}
