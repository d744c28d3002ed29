import CofferJSON
import CofferPolicy
import Foundation
import Testing

@Suite struct PolicyParserTests {
    @Test func parsesTheSpecExampleWithCommentsAndWildcards() throws {
        let policy = try Policy.parse(
            name: "app",
            text: """
                # read app secrets, list their names
                path "secret/data/app/*" {
                  capabilities = ["read", "create", "update"]
                }
                // metadata listing
                path "secret/metadata/app/*" {
                  capabilities = ["list"]
                }
                /* a block comment
                   spanning lines */
                path "auth/azure/role/+" {            # one path segment wildcard
                  capabilities = ["read"]
                }
                path "sys/auth/*" {
                  capabilities = ["create", "update", "delete", "sudo"]
                }
                """)
        #expect(policy.name == "app")
        #expect(policy.paths == ["secret/data/app/*", "secret/metadata/app/*", "auth/azure/role/+", "sys/auth/*"])
        #expect(!policy.usesTemplates)
        let acl = ACL(policies: [policy])
        #expect(acl.evaluate(.create, path: "secret/data/app/db").allowed)
        #expect(!acl.evaluate(.delete, path: "secret/data/app/db").allowed)
        #expect(acl.evaluate(.list, path: "secret/metadata/app/").allowed)
        #expect(acl.evaluate(.read, path: "auth/azure/role/web").allowed)
        #expect(!acl.evaluate(.read, path: "auth/azure/role/web/extra").allowed)
        #expect(acl.evaluate(.update, path: "sys/auth/azure").rootPrivileges)
    }

    @Test func acceptsNameTrailingCommasEscapesAndOptionalEquals() throws {
        let acl = try makeACL(
            """
            name = "ignored"
            path "quote\\"d/\\u00e9" {
              capabilities = ["read", "list",]
              comment = "why this exists"
            }
            path "params" {
              capabilities = ["update"]
              allowed_parameters { "k" = [] "k2" = ["v*"] }
              denied_parameters = { "secret" = [], }
              required_parameters = ["k"]
              mfa_methods = ["totp"]
              control_group = { max_ttl = "1h" }
              min_wrapping_ttl = "1m"
              max_wrapping_ttl = 3600
            }
            """)
        #expect(acl.evaluate(.read, path: "quote\"d/é").allowed)
        #expect(acl.capabilities(path: "quote\"d/é") == ["list", "read"])
        #expect(acl.evaluate(.update, path: "params", data: ["k": "x", "k2": "v1"], wrapTTL: 60).allowed)
        #expect(!acl.evaluate(.update, path: "params", data: ["k": "x", "k2": "w"], wrapTTL: 60).allowed)
        #expect(!acl.evaluate(.update, path: "params", data: ["k": "x"], wrapTTL: 59).allowed)
        #expect(!acl.evaluate(.update, path: "params", data: ["k": "x"], wrapTTL: 3601).allowed)
        #expect(!acl.evaluate(.update, path: "params", data: ["k": "x"]).allowed)
    }

    @Test func acceptsHeredocsAndCommaSeparatedItems() throws {
        let acl = try makeACL(
            """
            path "a" { capabilities = ["read"], comment = <<EOT
            several
            lines
            EOT
            }
            """)
        #expect(acl.evaluate(.read, path: "a").allowed)
    }

    @Test func acceptsEveryCapabilityWord() throws {
        let words = Capability.allCases.filter { $0 != .deny }.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let acl = try makeACL("path \"x\" { capabilities = [\(words)] }")
        #expect(
            acl.capabilities(path: "x") == [
                "create", "delete", "list", "patch", "read", "recover", "subscribe", "sudo", "update",
            ])
    }

    @Test func emptyPolicyHasNoRules() throws {
        let policy = try Policy.parse(name: "empty", text: "# nothing here\n")
        #expect(policy.paths.isEmpty)
        #expect(ACL(policies: [policy]).capabilities(path: "anything") == ["deny"])
    }

    @Test func legacyPolicyWordsMapToCapabilities() throws {
        let acl = try makeACL(
            """
            path "r" { policy = "read" }
            path "w" { policy = "write" }
            path "s" { policy = "sudo" }
            path "d" { policy = "deny" capabilities = ["read"] }
            path "mixed" { policy = "read" capabilities = ["update"] }
            """)
        #expect(acl.capabilities(path: "r") == ["list", "read"])
        #expect(acl.capabilities(path: "w") == ["create", "delete", "list", "read", "update"])
        #expect(acl.capabilities(path: "s") == ["create", "delete", "list", "read", "sudo", "update"])
        #expect(acl.evaluate(.read, path: "s").rootPrivileges)
        #expect(acl.capabilities(path: "d") == ["deny"])
        #expect(acl.capabilities(path: "mixed") == ["list", "read", "update"])
    }

    @Test func repeatedCapabilitiesKeysAppend() throws {
        let acl = try makeACL("path \"a\" {\n capabilities = [\"read\"]\n capabilities = [\"list\"]\n}")
        #expect(acl.capabilities(path: "a") == ["list", "read"])
    }

    // MARK: Errors

    @Test func rejectsUnknownTopLevelKeysWithLineNumbers() {
        #expect(
            parseError("bad = \"x\"")
                == "failed to parse policy: 1 error occurred:\n\t* invalid key \"bad\" on line 1\n\n")
        #expect(
            parseError("name = \"t\"\nbad = \"foo\"\nnope = \"yes\"") == """
                failed to parse policy: 2 errors occurred:
                \t* invalid key "bad" on line 2
                \t* invalid key "nope" on line 3


                """)
        // A block has no `=`, and HCL reports its line as 0.
        #expect(
            parseError("paths \"a\" { }")
                == "failed to parse policy: 1 error occurred:\n\t* invalid key \"paths\" on line 0\n\n")
    }

    @Test func rejectsUnknownBlockKeys() {
        let message = parseError("path \"secret/*\" {\n  capabilites = [\"read\"]\n}")
        #expect(
            message == """
                failed to parse policy: 1 error occurred:
                \t* path "secret/*": invalid key "capabilites" on line 2


                """)
    }

    @Test func rejectsInvalidCapabilityAndLegacyPolicy() {
        #expect(
            parseError("path \"a/b\" { capabilities = [\"read\", \"reed\"] }")
                == "failed to parse policy: path \"a/b\": invalid capability \"reed\"")
        #expect(
            parseError("path \"a\" { capabilities = [\"Read\"] }")
                == "failed to parse policy: path \"a\": invalid capability \"Read\"")
        #expect(
            parseError("path \"/a\" { policy = \"admin\" }")
                == "failed to parse policy: path \"/a\": invalid policy \"admin\"")
    }

    @Test func denyStopsCapabilityValidationLikeVault() throws {
        // Vault stops reading capabilities at `deny`, so a later unknown word is never checked.
        let acl = try makeACL("path \"a\" { capabilities = [\"deny\", \"bogus\"] }")
        #expect(acl.capabilities(path: "a") == ["deny"])
        #expect(
            parseError("path \"a\" { capabilities = [\"bogus\", \"deny\"] }")
                == "failed to parse policy: path \"a\": invalid capability \"bogus\"")
    }

    @Test func rejectsPlusStarWildcards() {
        #expect(
            parseError("path \"secret/+*\" { capabilities = [\"read\"] }")
                == "failed to parse policy: path \"secret/+*\": invalid use of wildcards ('+*' is forbidden)")
        // The message names the path after its leading slash is removed.
        #expect(
            parseError("path \"/a/+*/b\" { capabilities = [\"read\"] }")
                == "failed to parse policy: path \"a/+*/b\": invalid use of wildcards ('+*' is forbidden)")
    }

    @Test func rejectsUnbalancedTemplates() {
        #expect(
            parseError("path \"a/{{identity.entity.id}/x\" { capabilities = [\"read\"] }")
                == "failed to parse policy: failed to validate policy templating: unbalanced templating characters")
        #expect(
            parseError("path \"a/}}x{{\" { capabilities = [\"read\"] }")
                == "failed to parse policy: failed to validate policy templating: unbalanced templating characters")
    }

    @Test func rejectsBadWrappingTTLs() {
        #expect(
            parseError("path \"a\" { capabilities = [\"read\"] min_wrapping_ttl = \"abc\" }")
                == "failed to parse policy: error parsing min_wrapping_ttl: time: invalid duration \"abc\"")
        #expect(
            parseError("path \"a\" { capabilities = [\"read\"] min_wrapping_ttl = \"2h\" max_wrapping_ttl = \"1h\" }")
                == "failed to parse policy: max_wrapping_ttl cannot be less than min_wrapping_ttl")
    }

    @Test func rejectsWrongValueTypes() throws {
        let notAList = try #require(parseError("path \"a\" {\n  capabilities = \"read\"\n}"))
        #expect(notAList == "failed to parse policy: path \"a\": At 2:18: unknown slice type: *ast.LiteralType")
        let notAString = try #require(parseError("path \"a\" { policy = [\"read\"] }"))
        #expect(
            notAString.hasPrefix("failed to parse policy: path \"a\": At 1:21: root.policy: unknown type for string"))
    }

    @Test func reportsSyntaxErrorsWithPositions() throws {
        #expect(
            parseError("path \"a\" {\n  capabilities = [\"read]\n}")
                == "failed to parse policy: At 2:19: literal not terminated")
        #expect(
            parseError("path \"a\" {\n  capabilities = [\"read\"]\n")
                == "failed to parse policy: At 3:1: object expected closing RBRACE got: EOF")
        #expect(
            parseError("path \"a\" { capabilities = [\"read\" \"list\"] }")
                == "failed to parse policy: At 1:35: error parsing list, expected comma or list end, got: STRING")
        #expect(
            parseError("path \"a\" = { }")
                == "failed to parse policy: At 1:10: nested object expected: LBRACE got: ASSIGN")
        #expect(parseError("/* never closed") == "failed to parse policy: At 1:1: comment not terminated")
    }

    // MARK: JSON and base64

    @Test func parsesBothJSONShapes() throws {
        let objectShape = """
            {
                "path": {
                    "secret/data/*": {
                        "capabilities": [
                            "read",
                            "list"
                        ]
                    },
                    "sys/mounts": {
                        "capabilities": [
                            "read"
                        ]
                    }
                }
            }
            """
        let listShape =
            #"{"path": [{"secret/data/*": {"capabilities": ["read", "list"]}}, {"sys/mounts": {"capabilities": ["read"]}}]}"#
        for text in [objectShape, listShape] {
            let policy = try Policy.parse(name: "json", text: text)
            #expect(policy.paths == ["secret/data/*", "sys/mounts"])
            let acl = ACL(policies: [policy])
            #expect(acl.capabilities(path: "secret/data/x") == ["list", "read"])
            #expect(acl.capabilities(path: "sys/mounts") == ["read"])
            #expect(acl.capabilities(path: "sys/mounts/x") == ["deny"])
        }
    }

    @Test func parsesJSONParameterConstraints() throws {
        let acl = try makeACL(
            #"""
            {"path": {"secret/data/app": {"capabilities": ["update"],
                                          "denied_parameters": {"owner": []},
                                          "min_wrapping_ttl": "1s"}}}
            """#)
        #expect(acl.evaluate(.update, path: "secret/data/app", data: ["data": ["a": "b"]], wrapTTL: 5).allowed)
        #expect(!acl.evaluate(.update, path: "secret/data/app", data: ["owner": "x"], wrapTTL: 5).allowed)
    }

    @Test func jsonErrorsUseVaultWording() {
        #expect(
            parseError(#"{"path": {"a": {"capabilities": ["nope"]}}}"#)
                == "failed to parse policy: path \"a\": invalid capability \"nope\"")
        #expect(
            parseError("{\n\"paths\": {\"a\": {\"capabilities\": [\"read\"]}}}")
                == "failed to parse policy: 1 error occurred:\n\t* invalid key \"paths\" on line 2\n\n")
    }

    @Test func decodesBase64PolicyText() throws {
        let hcl = "path \"secret/*\" {\n  capabilities = [\"read\"]\n}\n"
        let encoded = Data(hcl.utf8).base64EncodedString()
        let policy = try Policy.parse(name: "b64", text: encoded)
        #expect(policy.text == hcl)
        #expect(ACL(policies: [policy]).evaluate(.read, path: "secret/x").allowed)

        let json = #"{"path": {"kv/*": {"capabilities": ["list"]}}}"#
        // Go's decoder skips CR/LF anywhere, so wrapped base64 is still base64.
        let encodedJSON = Data(json.utf8).base64EncodedString()
        let wrapped =
            "\(encodedJSON.prefix(20))\r\n\(encodedJSON.dropFirst(20).prefix(20))\n\(encodedJSON.dropFirst(40))"
        let fromJSON = try Policy.parse(name: "b64json", text: wrapped)
        #expect(fromJSON.text == json)
        #expect(ACL(policies: [fromJSON]).evaluate(.list, path: "kv/").allowed)
    }

    @Test func plainTextIsKeptByteForByte() throws {
        let text = "path \"a\" { capabilities = [\"read\"] }  # trailing\n"
        #expect(try Policy.parse(name: "p", text: text).text == text)
        // Invalid base64 (wrong padding) is not decoded.
        #expect(parseError("cGF0aA=") != nil)
    }
}
