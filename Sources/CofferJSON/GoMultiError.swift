/// The text of `github.com/hashicorp/go-multierror`'s default format, which Vault returns verbatim for errors it
/// collects into a list: a count line, one `\t* ` point per error, then a blank line. The one writer of that text:
/// the HTTP layer renders multierror ``LogicalError``s with it, and the policy parser nests it in its
/// `failed to parse policy: …` message as Vault does.
///
/// ```swift
/// GoMultiError.text(["permission denied"])   // "1 error occurred:\n\t* permission denied\n\n"
/// GoMultiError.text(["a", "b"])              // "2 errors occurred:\n\t* a\n\t* b\n\n"
/// ```
public enum GoMultiError {
    public static func text(_ errors: [String]) -> String {
        let header = errors.count == 1 ? "1 error occurred:" : "\(errors.count) errors occurred:"
        return header + "\n" + errors.map { "\t* " + $0 }.joined(separator: "\n") + "\n\n"
    }
}
