import Foundation

extension AzureTokenClaims {
    /// Decodes a JWT payload: `aud` as a string or an array, times as integers or floats (truncated to
    /// seconds like the reference), `appid` (v1) or else `azp` (v2) as the app id. A claim of the wrong JSON
    /// type is `oidc: failed to unmarshal claims: …`.
    ///
    /// ```swift
    /// let claims = try AzureTokenClaims(payload: Data(#"{"aud":"api://x","exp":1700000000.5}"#.utf8))
    /// ```
    init(payload: Data) throws(AzureError) {
        let raw: RawClaims
        do {
            raw = try JSONDecoder().decode(RawClaims.self, from: payload)
        } catch let error as RawClaims.TypeMismatch {
            throw AzureError.rejected(
                "oidc: failed to unmarshal claims: claim \"\(error.claim)\" must be \(error.expected)")
        } catch {
            throw AzureError.rejected("oidc: failed to unmarshal claims: payload is not a JSON object")
        }
        self.init(
            issuer: raw.iss ?? "", audiences: raw.aud ?? [], subject: raw.sub ?? "", objectID: raw.oid ?? "",
            appID: raw.appid ?? raw.azp ?? "", tenantID: raw.tid ?? "", groups: raw.groups ?? [],
            xmsMirid: raw.xmsMirid ?? "", xmsAzRid: raw.xmsAzRid ?? "", notBefore: raw.nbf,
            expiresAt: raw.exp ?? Double(GoTime.zero), version: raw.ver ?? "1.0")
    }
}

/// The JSON shape of the claims AzureKit reads; absent and `null` claims are nil.
private struct RawClaims: Decodable {
    struct TypeMismatch: Error {
        var claim: String
        var expected: String
    }

    var iss, sub, oid, appid, azp, tid, ver, xmsMirid, xmsAzRid: String?
    var aud, groups: [String]?
    var exp, nbf: Double?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        func string(_ name: String) throws -> String? {
            do { return try container.decodeIfPresent(String.self, forKey: Key(name)) } catch {
                throw TypeMismatch(claim: name, expected: "a string")
            }
        }
        func strings(_ name: String) throws -> [String]? {
            do { return try container.decodeIfPresent([String].self, forKey: Key(name)) } catch {
                throw TypeMismatch(claim: name, expected: "an array of strings")
            }
        }
        func time(_ name: String) throws -> Double? {
            do {
                return try container.decodeIfPresent(Double.self, forKey: Key(name)).map { $0.rounded(.towardZero) }
            } catch { throw TypeMismatch(claim: name, expected: "a number") }
        }
        iss = try string("iss")
        sub = try string("sub")
        oid = try string("oid")
        appid = try string("appid")
        azp = try string("azp")
        tid = try string("tid")
        ver = try string("ver")
        xmsMirid = try string("xms_mirid")
        xmsAzRid = try string("xms_az_rid")
        groups = try strings("groups")
        exp = try time("exp")
        nbf = try time("nbf")
        if let single = try? container.decodeIfPresent(String.self, forKey: Key("aud")) {
            aud = [single]
        } else {
            aud = try strings("aud")
        }
    }
}
