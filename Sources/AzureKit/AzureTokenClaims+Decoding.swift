import CofferJSON

extension AzureTokenClaims {
    /// Decodes a JWT payload: `aud` as a string or an array, times as integers or floats (truncated to
    /// seconds like the reference), `appid` (v1) or else `azp` (v2) as the app id. Absent and `null` claims
    /// are unset; a claim of the wrong JSON type is `oidc: failed to unmarshal claims: …`, reported for the
    /// first such claim in a fixed order.
    ///
    /// ```swift
    /// let claims = try AzureTokenClaims(payload: Array(#"{"aud":"api://x","exp":1700000000.5}"#.utf8))
    /// ```
    init(payload: some Collection<UInt8>) throws(AzureError) {
        // Only the claims read here are built; the others are checked and skipped.
        guard let values = try? JSONParser.members(utf8: Self.claimNamesUTF8, of: Array(payload)) else {
            throw AzureError.rejected("oidc: failed to unmarshal claims: payload is not a JSON object")
        }
        func claim(_ name: String) -> JSONValue? {
            values[Self.claimNames.firstIndex(of: name)!]
        }
        func mismatch(_ claim: String, _ expected: String) -> AzureError {
            .rejected("oidc: failed to unmarshal claims: claim \"\(claim)\" must be \(expected)")
        }
        func string(_ name: String) throws(AzureError) -> String? {
            switch claim(name) {
            case nil, .null?: return nil
            case .string(let value)?: return value
            default: throw mismatch(name, "a string")
            }
        }
        func strings(_ name: String) throws(AzureError) -> [String]? {
            switch claim(name) {
            case nil, .null?: return nil
            case .array(let values)?:
                var result: [String] = []
                result.reserveCapacity(values.count)
                for value in values {
                    guard case .string(let text) = value else { throw mismatch(name, "an array of strings") }
                    result.append(text)
                }
                return result
            default: throw mismatch(name, "an array of strings")
            }
        }
        func time(_ name: String) throws(AzureError) -> Double? {
            switch claim(name) {
            case nil, .null?: return nil
            case .int(let value)?: return Double(value)
            case .double(let value)?: return value.rounded(.towardZero)
            default: throw mismatch(name, "a number")
            }
        }
        let issuer = try string("iss")
        let subject = try string("sub")
        let objectID = try string("oid")
        let appID = try string("appid")
        let authorizedParty = try string("azp")
        let tenantID = try string("tid")
        let version = try string("ver")
        let xmsMirid = try string("xms_mirid")
        let xmsAzRid = try string("xms_az_rid")
        let groups = try strings("groups")
        let expiresAt = try time("exp")
        let notBefore = try time("nbf")
        let audiences: [String]?
        if case .string(let single)? = claim("aud") {
            audiences = [single]
        } else {
            audiences = try strings("aud")
        }
        self.init(
            issuer: issuer ?? "", audiences: audiences ?? [], subject: subject ?? "", objectID: objectID ?? "",
            appID: appID ?? authorizedParty ?? "", tenantID: tenantID ?? "", groups: groups ?? [],
            xmsMirid: xmsMirid ?? "", xmsAzRid: xmsAzRid ?? "", notBefore: notBefore,
            expiresAt: expiresAt ?? Double(RFC3339.goZeroTime), version: version ?? "1.0")
    }

    static let claimNames = [
        "iss", "sub", "oid", "appid", "azp", "tid", "ver", "xms_mirid", "xms_az_rid", "groups", "exp", "nbf", "aud",
    ]

    /// ``claimNames`` as the parser compares them, made once rather than on every login.
    static let claimNamesUTF8 = claimNames.map { Array($0.utf8) }
}
