import Testing

@testable import AzureKit

@Suite struct ARMResourceIDTests {
    @Test func parsesNestedResourceIDs() throws {
        let id = try ARMResourceID(
            parsing: "/subscriptions/sub-1/ResourceGroups/rg-1/providers/Microsoft.Web/sites/app/slots/blue")
        #expect(id.subscriptionID == "sub-1")
        #expect(id.resourceGroup == "rg-1")
        #expect(id.providerNamespace == "Microsoft.Web")
        #expect(id.types == ["sites", "slots"])
        #expect(id.resourceType == "sites/slots")
        #expect(id.fullType == "Microsoft.Web/sites/slots")
        #expect(id.name == "blue")
        #expect(id.name(ofType: "SITES") == "app")
        #expect(id.isType("microsoft.web", "SITES/slots"))
    }

    @Test func segmentNamesAreCaseInsensitive() throws {
        let id = try ARMResourceID(
            parsing:
                "/SUBSCRIPTIONS/s/resourcegroups/rg/PROVIDERS/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/ss_1"
        )
        #expect(id.subscriptionID == "s" && id.resourceGroup == "rg")
        #expect(id.name(ofType: "virtualmachines") == "ss_1")
        #expect(id.name(ofType: "virtualMachineScaleSets") == "ss")
    }

    @Test func handlesSubscriptionTenantAndExtensionScopes() throws {
        let group = try ARMResourceID(parsing: "/subscriptions/s/resourceGroups/rg")
        #expect(group.providerNamespace == nil && group.resourceType == "" && group.resourceGroup == "rg")
        let tenant = try ARMResourceID(parsing: "/providers/Microsoft.Management/managementGroups/mg")
        #expect(tenant.subscriptionID == nil && tenant.fullType == "Microsoft.Management/managementGroups")
        let extensionID = try ARMResourceID(
            parsing:
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Insights/diagnosticSettings/d"
        )
        #expect(extensionID.fullType == "Microsoft.Insights/diagnosticSettings" && extensionID.name == "d")
    }

    @Test(arguments: [
        "", "subscriptions/s", "/subscriptions", "/subscriptions/s/resourceGroups", "/foo/bar",
        "/subscriptions/s/resourceGroups/rg/providers", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites", "/subscriptions//resourceGroups/rg",
        "/subscriptions/s/resourceGroups/rg/extra",
    ])
    func rejectsMalformedIDs(_ text: String) {
        #expect(throws: ARMResourceID.ParseError.self) { try ARMResourceID(parsing: text) }
    }

    @Test func apiVersionChoiceSkipsPreviews() {
        #expect(ARMAPIVersionResolver.choose(["2022-11-01-preview", "2022-08-01", "2022-03-01"]) == "2022-08-01")
        #expect(ARMAPIVersionResolver.choose(["2023-01-01-preview"]) == "2022-03-01")
        #expect(ARMAPIVersionResolver.choose([]) == "2022-03-01")
    }
}
