import Foundation

/// The request line and headers of an HTTP/1.1 request.
struct HTTPRequestHead {
    var method: String
    var target: String
    var headers: [(name: String, value: String)]

    init?(parsing bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else { return nil }
        method = String(requestLine[0])
        target = String(requestLine[1])
        headers = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

extension HTTPRequestHead {
    /// The body's length from `Content-Length` (0 without one); nil when the value is not a decimal number of at
    /// most 9 digits.
    var contentLength: Int? {
        guard let value = header("content-length") else { return 0 }
        guard (1...9).contains(value.utf8.count), value.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int(value)
    }
}
