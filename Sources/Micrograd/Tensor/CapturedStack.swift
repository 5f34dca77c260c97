import Runtime
import Synchronization

/// A call stack captured cheaply (about 10 µs) and resolved to the user's
/// source line only when needed, through a process-wide cache keyed by
/// return address, so each distinct call site is symbolicated once
/// (symbolication costs about half a millisecond).
struct CapturedStack: @unchecked Sendable {
  private let backtrace: Backtrace

  /// The images of the process, read once.
  private static let images = ImageMap.capture()

  /// For each return address seen: the first location in its (inlined)
  /// frames that lies outside this library, or nil if all are inside.
  private static let cache = Mutex<[Backtrace.Address: SourceLocation?]>([:])

  /// Captures the current call stack (nil if unwinding fails).
  static func capture() -> CapturedStack? {
    guard let backtrace = try? Backtrace.capture(limit: 24, top: 0, images: images) else { return nil }
    return CapturedStack(backtrace: backtrace)
  }

  /// The innermost frame outside this library and the Swift runtime.
  var location: SourceLocation {
    let addresses = backtrace.frames.compactMap(\.address)
    let known = Self.cache.withLock { cache in addresses.map { cache[$0] } }
    if !known.contains(where: { $0 == nil }) {
      return known.lazy.compactMap { $0! }.first ?? .unknown
    }
    // Symbolicate this stack once and remember every address in it.
    var found: [Backtrace.Address: SourceLocation?] = [:]
    if let symbolicated = backtrace.symbolicated(with: Self.images) {
      for frame in symbolicated.frames {
        guard let address = frame.captured.address else { continue }
        if found[address] == nil { found[address] = .some(nil) }
        guard found[address]! == nil, let source = frame.symbol?.sourceLocation else { continue }
        if !Self.isLibrary(source.path) {
          found[address] = .some(SourceLocation(file: Self.shortened(source.path), line: source.line))
        }
      }
    }
    Self.cache.withLock { cache in cache.merge(found) { old, _ in old } }
    return addresses.lazy.compactMap { found[$0] ?? nil }.first ?? .unknown
  }

  private static func isLibrary(_ path: String) -> Bool {
    path.contains("/Sources/Micrograd/") || path.hasPrefix("/home/build-user/") || path.contains("/swift/stdlib/")
      || path.contains("/swift-corelibs-") || path.contains("/swift-testing/")
  }

  /// The last two path components (`moons/main.swift`), like `#fileID`.
  private static func shortened(_ path: String) -> String {
    path.split(separator: "/").suffix(2).joined(separator: "/")
  }
}

extension Backtrace.Frame {
  /// The frame's code address, if it has one.
  var address: Backtrace.Address? {
    switch self {
    case .programCounter(let address), .returnAddress(let address), .asyncResumePoint(let address): address
    default: nil
    }
  }
}
