import NIOSSL
import Synchronization

/// The listener's current `NIOSSLContext`, swapped on reload: each new connection's TLS handler takes the
/// context current at accept time, so a reload changes the certificate for new connections while
/// connections already open keep the context they started with.
///
/// ```swift
/// let holder = try TLSContextHolder(settings: settings)
/// let server = VaultHTTPServer.http1(limits: limits, tls: holder)
/// // on SIGHUP, off the event loops:
/// do { try holder.reload() } catch { logger.error("\(error)") }   // the old certificate stays in use
/// ```
public final class TLSContextHolder: Sendable {
    public let settings: ListenerTLSSettings
    private let context: Mutex<NIOSSLContext>

    /// Reads the files now; throws ``ListenerTLSError`` naming the key and file when they are unusable.
    public init(settings: ListenerTLSSettings) throws(ListenerTLSError) {
        self.settings = settings
        self.context = Mutex(try settings.makeContext())
    }

    public var current: NIOSSLContext {
        context.withLock { $0 }
    }

    /// Re-reads the certificate and key files; on failure the previous context stays in use and the error
    /// is thrown for the caller to log.
    public func reload() throws(ListenerTLSError) {
        let fresh = try settings.makeContext()
        context.withLock { $0 = fresh }
    }
}
