/// `event.Header`: who sent a batch, from which app and campaign. Field numbers 5-24 follow the deployed
/// clients; property names are the proto's.
public struct Header: Sendable, Equatable {
    public var sessionId: String
    public var bbDeviceId: Int64
    public var userId: Int64
    public var deviceId: String
    public var androidAdvertisingId: String
    public var clientId: String
    public var channel: String
    public var os: String
    public var clientType: String
    public var appLanguage: String
    public var appVersion: String
    public var appVersionCode: String
    public var currentURL: String
    public var merchantId: String
    public var utmReferrer: String
    public var utmPlatform: String
    public var utmSource: String
    public var utmMedium: String
    public var utmCampaign: String
    public var ppId: String

    public init(
        sessionId: String = "",
        bbDeviceId: Int64 = 0,
        userId: Int64 = 0,
        deviceId: String = "",
        androidAdvertisingId: String = "",
        clientId: String = "",
        channel: String = "",
        os: String = "",
        clientType: String = "",
        appLanguage: String = "",
        appVersion: String = "",
        appVersionCode: String = "",
        currentURL: String = "",
        merchantId: String = "",
        utmReferrer: String = "",
        utmPlatform: String = "",
        utmSource: String = "",
        utmMedium: String = "",
        utmCampaign: String = "",
        ppId: String = ""
    ) {
        self.sessionId = sessionId
        self.bbDeviceId = bbDeviceId
        self.userId = userId
        self.deviceId = deviceId
        self.androidAdvertisingId = androidAdvertisingId
        self.clientId = clientId
        self.channel = channel
        self.os = os
        self.clientType = clientType
        self.appLanguage = appLanguage
        self.appVersion = appVersion
        self.appVersionCode = appVersionCode
        self.currentURL = currentURL
        self.merchantId = merchantId
        self.utmReferrer = utmReferrer
        self.utmPlatform = utmPlatform
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
        self.ppId = ppId
    }
}
