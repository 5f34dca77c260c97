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
        guard found[address]! == nil, let symbol = frame.symbol, let source = symbol.sourceLocation,
          source.line > 0
        else { continue }
        if !Self.isLibrary(source.path) {
          found[address] = .some(SourceLocation(file: Self.fileID(source.path, symbol), line: source.line))
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

  /// `Module/File.swift`, as `#fileID` spells it: the module comes from the
  /// symbol's mangled name (`$s5moons…`), else from the image's name.
  private static func fileID(_ path: String, _ symbol: SymbolicatedBacktrace.Symbol) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    return (moduleName(mangled: symbol.rawName) ?? imageModule(symbol.imageName)) + "/" + file
  }

  /// The module of a Swift mangled name: `$s` then a length-prefixed identifier.
  static func moduleName(mangled name: String) -> String? {
    guard name.hasPrefix("$s") else { return nil }
    let rest = name.dropFirst(2)
    let digits = rest.prefix { $0.isASCII && $0.isNumber }
    guard let length = Int(digits), length > 0 else { return nil }
    let module = rest.dropFirst(digits.count).prefix(length)
    return module.count == length ? String(module) : nil
  }

  /// `moons` for an image named `moons`, `MicrogradPackageTests` for a test bundle.
  private static func imageModule(_ image: String) -> String {
    String((image.split(separator: "/").last ?? Substring(image)).prefix { $0 != "." })
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
