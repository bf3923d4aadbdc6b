extension EventsView {
    /// The header as `Header.protobufBytes()` encodes it (field order, defaults left out): what `EventID` hashes.
    public func canonicalHeaderBytes() -> [UInt8] {
        bytes.withUnsafeBufferPointer { buffer in
            var out = CanonicalBytes(capacity: 64 + header.strings.reduce(0) { $0 + $1.count })
            out.string(buffer, header.string(field: 5), field: 5)
            out.int64(header.bbDeviceId, field: 6)
            out.int64(header.userId, field: 7)
            for field in 8...24 { out.string(buffer, header.string(field: field), field: field) }
            return out.bytes
        }
    }

    /// Event `index` without its id, as `Event.protobufBytes()` encodes it: what `EventID` hashes.
    public func canonicalKeylessEventBytes(_ index: Int) -> [UInt8] {
        let event = events[index]
        return bytes.withUnsafeBufferPointer { buffer in
            var out = CanonicalBytes(capacity: event.message.count + 16)
            out.string(buffer, event.timestamp, field: 5)
            out.string(buffer, event.currentURL, field: 6)
            out.string(buffer, event.type, field: 7)
            for attribute in attributes[event.attributes] {
                out.tag(field: 8, wireType: .lengthDelimited)
                out.varint(UInt64(attributeSize(attribute)))
                out.string(buffer, attribute.key, field: 1)
                switch attribute.value {
                case .none: break
                case .string(let range): out.string(buffer, range, field: 2, always: true)
                case .int(let number): out.int64(number, field: 3, always: true)
                case .double(let number):
                    out.tag(field: 4, wireType: .fixed64)
                    withUnsafeBytes(of: number.bitPattern.littleEndian) { out.bytes.append(contentsOf: $0) }
                case .bool(let flag):
                    out.tag(field: 5, wireType: .varint)
                    out.bytes.append(flag ? 1 : 0)
                }
            }
            if event.experimentIdCount > 0 {
                var size = 0
                forEachExperimentId(of: event) { size += CanonicalBytes.varintSize(UInt64(bitPattern: $0)) }
                out.tag(field: 65, wireType: .lengthDelimited)
                out.varint(UInt64(size))
                forEachExperimentId(of: event) { out.varint(UInt64(bitPattern: $0)) }
            }
            return out.bytes
        }
    }

    private func attributeSize(_ attribute: AttributeView) -> Int {
        let key =
            attribute.key.isEmpty ? 0 : 1 + CanonicalBytes.varintSize(UInt64(attribute.key.count)) + attribute.key.count
        switch attribute.value {
        case .none: return key
        case .string(let range): return key + 1 + CanonicalBytes.varintSize(UInt64(range.count)) + range.count
        case .int(let number): return key + 1 + CanonicalBytes.varintSize(UInt64(bitPattern: number))
        case .double: return key + 9
        case .bool: return key + 2
        }
    }
}
