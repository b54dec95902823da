import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks a local Inlet process whether it is alive: `GET /healthz` over plain HTTP, for container health checks
/// (`inlet-server healthcheck`, `inlet-worker healthcheck`) in an image that has no curl.
public enum HealthProbe {
    /// Whether `GET path` on `host:port` answers 200 within `timeoutSeconds`. A wildcard listen address
    /// (`0.0.0.0`, `::`) is probed on loopback.
    public static func isHealthy(host: String, port: Int, path: String = "/healthz", timeoutSeconds: Int = 3) -> Bool {
        let address = ["0.0.0.0", "::", "", "localhost"].contains(host) ? "127.0.0.1" : host
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address, String(port), &hints, &found) == 0, let info = found else { return false }
        defer { freeaddrinfo(found) }
        let socket = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(socket, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else { return false }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(address)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(socket, $0.baseAddress, $0.count, 0) }) == request.count else {
            return false
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while answer.count < 64 {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        // "HTTP/1.1 200 OK": the status code is the second word of the status line.
        let statusLine = String(decoding: answer.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        return statusLine.split(separator: " ").dropFirst().first == "200"
    }
}
