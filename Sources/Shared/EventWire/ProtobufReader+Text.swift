extension ProtobufReader {
    /// Reads a `string` field as a range of the input: at most `limits.maxStringBytes` bytes (`limitExceeded`
    /// naming `field()` otherwise), valid UTF-8 (`invalidUTF8` otherwise).
    mutating func readText(_ limits: DecodeLimits, _ field: () -> String) throws(WireError) -> Range<Int> {
        let range = try readLengthDelimited()
        guard range.count <= limits.maxStringBytes else {
            throw failure(
                .limitExceeded,
                "\(field()) is \(range.count) bytes; at most \(limits.maxStringBytes) are allowed"
            )
        }
        guard UTF8Check.isValid(bytes(in: range)) else {
            throw failure(.invalidUTF8, "a string field holds bytes that are not valid UTF-8; send UTF-8 text")
        }
        return range
    }
}
