import Foundation
import Testing

@testable import AzureKit

@Suite struct CloudAndSettingsTests {
    @Test func namedCloudsAreCaseInsensitiveWithSpecValues() throws {
        #expect(try AzureCloud.named("", environment: [:]) == .publicCloud)
        let china = try AzureCloud.named("azurechinacloud", environment: [:])
        #expect(china.activeDirectoryEndpoint == "https://login.chinacloudapi.cn/")
        #expect(china.resourceManagerEndpoint == "https://management.chinacloudapi.cn")
        #expect(china.tokenAudience == "https://management.core.chinacloudapi.cn")
        #expect(china.microsoftGraphEndpoint == "https://microsoftgraph.chinacloudapi.cn")
        let gov = try AzureCloud.named("AZUREUSGOVERNMENTCLOUD", environment: [:])
        #expect(gov.activeDirectoryEndpoint == "https://login.microsoftonline.us/")
        #expect(gov.resourceManagerEndpoint == "https://management.usgovcloudapi.net")
        #expect(gov.microsoftGraphEndpoint == "https://graph.microsoft.us")
        let pub = try AzureCloud.named("AzurePublicCloud", environment: [:])
        #expect(pub.tokenAudience == "https://management.core.windows.net/")
        #expect(pub.armScope == "https://management.core.windows.net/.default")
        #expect(pub.graphScope == "https://graph.microsoft.com/.default")
    }

    @Test func unknownAndRetiredCloudsAreRefused() {
        #expect(throws: AzureError.configuration("err: no cloud configuration matching the name \"AZUREUSGOVERNMENT\""))
        {
            try AzureCloud.named("AzureUSGovernment", environment: [:])
        }
        #expect(throws: AzureError.configuration("AzureGermanCloud was retired by Microsoft; use AzurePublicCloud")) {
            try AzureCloud.named("azuregermancloud", environment: [:])
        }
    }

    @Test func stackCloudReadsTheEnvironmentFileWithDefaults() throws {
        let file = try TemporaryFile(
            #"{"name":"Stack","activeDirectoryEndpoint":"http://127.0.0.1:9999/","resourceManagerEndpoint":"http://localhost:9999/","microsoftGraphEndpoint":"http://[::1]:9999/"}"#
        )
        let cloud = try AzureCloud.named("azurestackcloud", environment: ["AZURE_ENVIRONMENT_FILEPATH": file.path])
        #expect(cloud.name == "Stack")
        #expect(cloud.tokenAudience == "http://localhost:9999/")
        #expect(cloud.armScope == "http://localhost:9999/.default")
        #expect(cloud.graphScope == "http://[::1]:9999/.default")

        let audience = try TemporaryFile(
            #"{"activeDirectoryEndpoint":"https://login.stack.example/","resourceManagerEndpoint":"https://arm.stack.example","tokenAudience":"https://aud.stack.example/"}"#
        )
        let custom = try AzureCloud.named("AzureStackCloud", environment: ["AZURE_ENVIRONMENT_FILEPATH": audience.path])
        #expect(custom.name == "AzureStackCloud")
        #expect(custom.tokenAudience == "https://aud.stack.example/")
        #expect(custom.microsoftGraphEndpoint == "")
    }

    @Test func stackCloudNeedsAFileAndSecureEndpoints() throws {
        #expect(throws: AzureError.self) { try AzureCloud.named("AzureStackCloud", environment: [:]) }
        let insecure = try TemporaryFile(
            #"{"activeDirectoryEndpoint":"http://login.stack.example/","resourceManagerEndpoint":"https://arm.stack.example"}"#
        )
        #expect(throws: AzureError.self) {
            try AzureCloud.named("AzureStackCloud", environment: ["AZURE_ENVIRONMENT_FILEPATH": insecure.path])
        }
        let missing = try TemporaryFile(#"{"activeDirectoryEndpoint":"https://login.stack.example/"}"#)
        #expect(throws: AzureError.self) {
            try AzureCloud.named("AzureStackCloud", environment: ["AZURE_ENVIRONMENT_FILEPATH": missing.path])
        }
    }

    @Test func httpIsAllowedOnlyForLoopbackHosts() throws {
        for url in [
            "http://127.0.0.1:8080", "http://127.1.2.3/x", "http://localhost:1/", "http://[::1]:80/",
            "https://example.com",
        ] {
            #expect(throws: Never.self) { try AzureURL.requireSecure(url, what: "url") }
        }
        for url in [
            "http://example.com", "http://128.0.0.1/", "http://127.0.0.1.example.com/", "http://10.0.0.1",
            "ftp://127.0.0.1", "/relative",
        ] {
            #expect(throws: AzureError.self) { try AzureURL.requireSecure(url, what: "url") }
        }
    }

    @Test func joiningNeverProducesDoubleSlashes() {
        #expect(AzureURL.join("https://a/", "/b/", "c") == "https://a/b/c")
        #expect(
            AzureURL.join("https://management.core.windows.net/", ".default")
                == "https://management.core.windows.net/.default")
        #expect(
            AzureURL.join("http://127.0.0.1:1", "t", ".well-known/openid-configuration")
                == "http://127.0.0.1:1/t/.well-known/openid-configuration")
        #expect(AzureURL.escapeSegment("a b/c") == "a%20b%2Fc")
    }

    @Test func logLinesRedactUnknownQueryValues() {
        #expect(
            AzureURL.redacted("http://h/p?api-version=1&client_secret=s3cr3t&resource=r")
                == "http://h/p?api-version=1&client_secret=REDACTED&resource=r")
    }

    @Test func settingsPreferStoredValuesThenEnvironment() throws {
        let environment = [
            "AZURE_TENANT_ID": "env-tenant", "AZURE_AD_RESOURCE": "env-resource", "AZURE_CLIENT_ID": "env-client",
            "AZURE_CLIENT_SECRET": "env-secret", "AZURE_ENVIRONMENT": "AzureChinaCloud",
        ]
        let fromEnvironment = try AzureSettings.resolve(environment: environment)
        #expect(fromEnvironment.tenantID == "env-tenant")
        #expect(fromEnvironment.resource == "env-resource")
        #expect(fromEnvironment.clientID == "env-client")
        #expect(fromEnvironment.clientSecret == "env-secret")
        #expect(fromEnvironment.clientSecretFromEnvironment)
        #expect(fromEnvironment.cloud == .chinaCloud)

        let stored = try AzureSettings.resolve(
            tenantID: "t", resource: "r", clientID: "c", clientSecret: "s", environmentName: "AzurePublicCloud",
            retry: AzureRetryPolicy(maxRetries: 1, retryDelay: 2, maxRetryDelay: 3), environment: environment)
        #expect(
            stored.tenantID == "t" && stored.resource == "r" && stored.clientID == "c" && stored.clientSecret == "s")
        #expect(!stored.clientSecretFromEnvironment)
        #expect(stored.cloud == .publicCloud)
        #expect(stored.retry == AzureRetryPolicy(maxRetries: 1, retryDelay: 2, maxRetryDelay: 3))
        #expect(!"\(stored)".contains("\"s\"") && "\(stored)".contains("<redacted>"))
    }

    @Test func settingsRequireTenantAndResource() {
        #expect(throws: AzureError.configuration("tenant_id is required")) {
            try AzureSettings.resolve(resource: "r", environment: [:])
        }
        #expect(throws: AzureError.configuration("resource is required")) {
            try AzureSettings.resolve(tenantID: "t", environment: [:])
        }
    }
}

/// A file removed when the value is deinitialised.
final class TemporaryFile {
    let path: String

    init(_ contents: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("azurekit-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func write(_ contents: String) throws {
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
