import CofferFramework
import Testing

@testable import CofferHTTP

/// The HTTP layer renders ``LogicalError`` values exactly as Vault's bodies read on the wire.
@Suite struct VaultErrorBodyTests {
    func body(_ error: LogicalError) -> String { String(decoding: VaultErrorBody.serialized(error), as: UTF8.self) }

    @Test func coreErrorsRenderAsGoMultierrorText() {
        #expect(body(.permissionDenied) == #"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#)
        #expect(
            body(.invalidToken)
                == #"{"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]}"#)
        #expect(body(.unsupportedPath) == #"{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}"#)
        #expect(body(.unsupportedOperation) == #"{"errors":["1 error occurred:\n\t* unsupported operation\n\n"]}"#)
        #expect(body(.internalError) == #"{"errors":["1 error occurred:\n\t* internal error\n\n"]}"#)
    }

    @Test func plainErrorsAreOneEntryEach() {
        #expect(body(.badRequest("no data provided")) == #"{"errors":["no data provided"]}"#)
        #expect(body(.missingToken) == #"{"errors":["permission denied"]}"#)
        #expect(body(.sealed) == #"{"errors":["Vault is sealed"]}"#)
        #expect(body(LogicalError(status: 400, messages: ["a", "b"])) == #"{"errors":["a","b"]}"#)
        #expect(body(.notFound) == #"{"errors":[]}"#)
    }

    @Test func aBackendsMultierrorListsEveryMessage() {
        let error = LogicalError(status: 400, messages: ["first \"q\"", "second"], isMultiError: true)
        #expect(VaultErrorBody.messages(error) == ["2 errors occurred:\n\t* first \"q\"\n\t* second\n\n"])
        #expect(body(error) == #"{"errors":["2 errors occurred:\n\t* first \"q\"\n\t* second\n\n"]}"#)
        #expect(body(LogicalError(status: 404, messages: [], isMultiError: true)) == #"{"errors":[]}"#)
    }
}
