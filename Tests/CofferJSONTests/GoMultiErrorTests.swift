import CofferJSON
import Testing

/// go-multierror's default text, byte for byte.
@Suite struct GoMultiErrorTests {
    @Test func oneErrorIsSingular() {
        #expect(GoMultiError.text(["permission denied"]) == "1 error occurred:\n\t* permission denied\n\n")
    }

    @Test func severalErrorsAreCountedAndListedInOrder() {
        #expect(GoMultiError.text(["b", "a", "c"]) == "3 errors occurred:\n\t* b\n\t* a\n\t* c\n\n")
    }

    @Test func aMultiLineErrorIsNotReindented() {
        #expect(GoMultiError.text(["x\ny", "z"]) == "2 errors occurred:\n\t* x\ny\n\t* z\n\n")
    }
}
