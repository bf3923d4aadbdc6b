extension Header: ProtobufMessage, ProtobufCodable {
    public init(protobuf bytes: ArraySlice<UInt8>) throws(WireError) { self = try Self.decoded(from: bytes) }

    public func protobufBytes() -> [UInt8] { encodedBytes() }

    static var protobufDefault: Header { Header() }

    mutating func merge(from reader: inout ProtobufReader) throws(WireError) {
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (5, .lengthDelimited): sessionId = try reader.readString()
            case (6, .varint): bbDeviceId = try reader.readInt64()
            case (7, .varint): userId = try reader.readInt64()
            case (8, .lengthDelimited): deviceId = try reader.readString()
            case (9, .lengthDelimited): androidAdvertisingId = try reader.readString()
            case (10, .lengthDelimited): clientId = try reader.readString()
            case (11, .lengthDelimited): channel = try reader.readString()
            case (12, .lengthDelimited): os = try reader.readString()
            case (13, .lengthDelimited): clientType = try reader.readString()
            case (14, .lengthDelimited): appLanguage = try reader.readString()
            case (15, .lengthDelimited): appVersion = try reader.readString()
            case (16, .lengthDelimited): appVersionCode = try reader.readString()
            case (17, .lengthDelimited): currentURL = try reader.readString()
            case (18, .lengthDelimited): merchantId = try reader.readString()
            case (19, .lengthDelimited): utmReferrer = try reader.readString()
            case (20, .lengthDelimited): utmPlatform = try reader.readString()
            case (21, .lengthDelimited): utmSource = try reader.readString()
            case (22, .lengthDelimited): utmMedium = try reader.readString()
            case (23, .lengthDelimited): utmCampaign = try reader.readString()
            case (24, .lengthDelimited): ppId = try reader.readString()
            default: try reader.skipField()
            }
        }
    }

    func write<Sink>(to writer: inout ProtobufWriter<Sink>) {
        writer.write(sessionId, field: 5)
        writer.write(bbDeviceId, field: 6)
        writer.write(userId, field: 7)
        writer.write(deviceId, field: 8)
        writer.write(androidAdvertisingId, field: 9)
        writer.write(clientId, field: 10)
        writer.write(channel, field: 11)
        writer.write(os, field: 12)
        writer.write(clientType, field: 13)
        writer.write(appLanguage, field: 14)
        writer.write(appVersion, field: 15)
        writer.write(appVersionCode, field: 16)
        writer.write(currentURL, field: 17)
        writer.write(merchantId, field: 18)
        writer.write(utmReferrer, field: 19)
        writer.write(utmPlatform, field: 20)
        writer.write(utmSource, field: 21)
        writer.write(utmMedium, field: 22)
        writer.write(utmCampaign, field: 23)
        writer.write(ppId, field: 24)
    }
}
