extension JSONWriter {
    /// A JSON string of UTF-8 `bytes` (already validated), with the escaping of `string(_:)`: the runs that need
    /// none are copied whole.
    @inlinable
    public mutating func string(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        append(byte: UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            if runStart < index { append(UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            escape(byte)
            runStart = index + 1
        }
        if runStart < bytes.count { append(UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        append(byte: UInt8(ascii: "\""))
    }
}
