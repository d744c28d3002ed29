import CofferFramework
import Foundation

/// The stored configuration of an Azure auth mount (`config`, docs/azure-auth.md § Configuration).
///
/// Durations are seconds. `clientSecret` is stored (encrypted by the barrier) but never read back.
struct AzureConfig: Codable, Sendable, Equatable {
    var tenantID = ""
    var resource = ""
    var environment = ""
    var clientID = ""
    var clientSecret = ""
    var clientSecretKeyID = ""
    var rootPasswordTTL: Int64 = AzureConfig.defaultRootPasswordTTL
    var rootPasswordExpirationDate = ""
    var maxRetries: Int64 = 3
    var retryDelay: Int64 = 4
    var maxRetryDelay: Int64 = 60
    var identityTokenAudience = ""
    var identityTokenTTL: Int64 = 3600
    var rotationSchedule = ""
    var rotationWindow: Int64 = 0
    var rotationPeriod: Int64 = 0
    var disableAutomatedRotation = false
    var rotationPolicy = ""

    static let defaultRootPasswordTTL: Int64 = 15_768_000
    static let storageKey = "config"

    /// The longest duration Vault accepts (Go's `time.Duration`, about 292 years), in seconds.
    static let maxDuration: Int64 = 9_223_372_036
    /// `max_retries`: -1 (or 0) means no retries, as the Azure SDK reads a negative count; the cap keeps a login
    /// from retrying ARM for hours.
    static let maxRetriesRange: ClosedRange<Int64> = -1...100
    /// `retry_delay` / `max_retry_delay`: negative means no delay / no cap (docs/azure-auth.md § Retries); a day
    /// bounds the back-off math.
    static let retryDelayRange: ClosedRange<Int64> = -86_400...86_400

    static let fields: [String: FieldSchema] = [
        "tenant_id": FieldSchema(.string, description: "The tenant (directory) id of the Entra ID tenant"),
        "resource": FieldSchema(.string, description: "The expected audience (`aud`) of login JWTs"),
        "environment": FieldSchema(
            .string, description: "AzurePublicCloud, AzureUSGovernmentCloud, AzureChinaCloud or AzureStackCloud"),
        "client_id": FieldSchema(.string, description: "Client id of the app Coffer uses to call ARM and Graph"),
        "client_secret": FieldSchema(.string, description: "Client secret of that app (never returned)"),
        "root_password_ttl": FieldSchema(.duration, description: "Lifetime of secrets created by rotate-root"),
        "max_retries": FieldSchema(.int, description: "ARM retries after the first attempt"),
        "retry_delay": FieldSchema(.duration, description: "First ARM retry delay"),
        "max_retry_delay": FieldSchema(.duration, description: "Longest ARM retry delay"),
        "identity_token_audience": FieldSchema(.string, description: "Audience of plugin identity tokens (WIF)"),
        "identity_token_ttl": FieldSchema(.duration, description: "TTL of plugin identity tokens"),
        "rotation_schedule": FieldSchema(.string, description: "Cron schedule of automated root rotation"),
        "rotation_window": FieldSchema(.duration, description: "Window of a scheduled rotation"),
        "rotation_period": FieldSchema(.duration, description: "Period of automated root rotation"),
        "disable_automated_rotation": FieldSchema(.bool, description: "Disable automated root rotation"),
        "rotation_policy": FieldSchema(.string, description: "Rotation policy name (stored and echoed)"),
    ]

    /// Applies a write: fields present replace stored values, absent ones are kept
    /// (docs/azure-auth.md § Config writes).
    mutating func merge(_ fields: FieldData) throws {
        if fields.has("tenant_id") { tenantID = try fields.string("tenant_id") }
        if fields.has("resource") { resource = try fields.string("resource") }
        if fields.has("environment") { environment = try fields.string("environment") }
        if fields.has("client_id") { clientID = try fields.string("client_id") }
        if fields.has("client_secret") { clientSecret = try fields.string("client_secret") }
        try mergeNumbers(fields)
        if fields.has("identity_token_audience") {
            identityTokenAudience = try fields.string("identity_token_audience")
        }
        if fields.has("rotation_policy") { rotationPolicy = try fields.string("rotation_policy") }
        if fields.has("disable_automated_rotation") {
            disableAutomatedRotation = try fields.bool("disable_automated_rotation")
        }
        let schedule = try fields.string("rotation_schedule")
        let period = try fields.duration("rotation_period")
        let window = try fields.duration("rotation_window")
        if !schedule.isEmpty, period != 0 {
            throw LogicalError.badRequest(
                "mutually exclusive fields rotation_schedule and rotation_period were both specified; only one of them can be provided"
            )
        }
        if window != 0, period != 0 { throw LogicalError.badRequest("rotation_window does not apply to period") }
        if window != 0, schedule.isEmpty {
            throw LogicalError.badRequest("cannot use rotation_window without rotation_schedule")
        }
        if !schedule.isEmpty { _ = try RotationSchedule.parse(schedule) }
        if period < 0 || window < 0 {
            throw LogicalError.badRequest("rotation_period and rotation_window cannot be negative")
        }
        _ = try Self.checked(period, "rotation_period", 0...Self.maxDuration)
        _ = try Self.checked(window, "rotation_window", 0...Self.maxDuration)
        // Choosing one kind of automated rotation replaces the other, so a stored mix never arises.
        if fields.has("rotation_schedule") {
            rotationSchedule = schedule
            if !schedule.isEmpty { rotationPeriod = 0 }
        }
        if fields.has("rotation_period") {
            rotationPeriod = period
            if period != 0 {
                rotationSchedule = ""
                rotationWindow = 0
            }
        }
        if fields.has("rotation_window") { rotationWindow = window }
        if !clientSecret.isEmpty, !identityTokenAudience.isEmpty {
            throw LogicalError.badRequest("only one of 'client_secret' or 'identity_token_audience' can be set")
        }
        if !identityTokenAudience.isEmpty, !disableAutomatedRotation, rotationPeriod != 0 || !rotationSchedule.isEmpty {
            throw LogicalError.badRequest(
                "automated root rotation rotates a client secret and does not apply with identity_token_audience")
        }
    }

    /// The numeric fields present in a write, each checked against its range (a 400 naming it) before anything
    /// changes, so no later conversion or date arithmetic can overflow.
    private mutating func mergeNumbers(_ fields: FieldData) throws {
        if fields.has("root_password_ttl") {
            let ttl = try fields.duration("root_password_ttl")
            guard ttl >= 0 else { throw LogicalError.badRequest("root_password_ttl cannot be negative") }
            let checked = try Self.checked(ttl, "root_password_ttl", 0...Self.maxDuration)
            rootPasswordTTL = checked == 0 ? Self.defaultRootPasswordTTL : checked
        }
        if fields.has("max_retries") {
            maxRetries = try Self.checked(try fields.int("max_retries"), "max_retries", Self.maxRetriesRange)
        }
        if fields.has("retry_delay") {
            retryDelay = try Self.checked(try fields.duration("retry_delay"), "retry_delay", Self.retryDelayRange)
        }
        if fields.has("max_retry_delay") {
            maxRetryDelay = try Self.checked(
                try fields.duration("max_retry_delay"), "max_retry_delay", Self.retryDelayRange)
        }
        if fields.has("identity_token_ttl") {
            let ttl = try fields.duration("identity_token_ttl")
            guard ttl > 0 else { throw LogicalError.badRequest("identity_token_ttl must be positive") }
            identityTokenTTL = try Self.checked(ttl, "identity_token_ttl", 1...Self.maxDuration)
        }
    }

    static func checked(_ value: Int64, _ field: String, _ range: ClosedRange<Int64>) throws -> Int64 {
        guard range.contains(value) else {
            throw LogicalError.badRequest("\(field) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// The `data` of a config read (docs/azure-auth.md § Config reads), never including the client secret.
    func readData() -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "tenant_id": .string(tenantID), "resource": .string(resource), "environment": .string(environment),
            "client_id": .string(clientID), "root_password_ttl": .int(rootPasswordTTL), "retry_delay": .int(retryDelay),
            "max_retry_delay": .int(maxRetryDelay), "max_retries": .int(maxRetries),
            "identity_token_audience": .string(identityTokenAudience), "identity_token_ttl": .int(identityTokenTTL),
            "rotation_schedule": .string(rotationSchedule), "rotation_window": .int(rotationWindow),
            "rotation_period": .int(rotationPeriod), "disable_automated_rotation": .bool(disableAutomatedRotation),
            "rotation_policy": .string(rotationPolicy),
        ]
        if !rootPasswordExpirationDate.isEmpty {
            data["root_password_expiration_date"] = .string(rootPasswordExpirationDate)
        }
        return data
    }
}
