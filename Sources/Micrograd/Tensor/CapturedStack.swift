// The current register context and the making of a backtrace from
// addresses are the Runtime module's SPI (SE-0419 left them out of the
// public API); the public `Backtrace.capture` costs far more (see `capture()`).
@_spi(Internal) @_spi(Contexts) import Runtime
import Synchronization

/// A call stack captured cheaply (a frame-pointer walk, well under a
/// microsecond) and resolved to the user's source line only when needed,
/// through a process-wide cache keyed by return address, so each distinct
/// call site is symbolicated once (symbolication costs about half a
/// millisecond).
struct CapturedStack: @unchecked Sendable {
  /// The program counter, then the return addresses, innermost first.
  private let frames: [RichFrame<UInt64>]

  /// The images of the process, read once.
  private static let images = ImageMap.capture()

  /// For each return address seen: the first location in its (inlined)
  /// frames that lies outside this library, or nil if all are inside.
  private static let cache = Mutex<[Backtrace.Address: SourceLocation?]>([:])

  /// The most frames kept (this function's own, then 24 callers).
  private static let limit = 25

  /// Captures the current call stack (nil if there is none to walk).
  ///
  /// A plain frame-pointer walk. `Backtrace.capture` given the image map
  /// looks up the symbol of every frame to spot async frames (without one it
  /// reads the process's image map on every call), which made tracing an
  /// operator cost tens of microseconds. The user's line is among the
  /// innermost frames, which a plain walk finds (an async caller's own frame
  /// included); the images are given when symbolicating.
  static func capture() -> CapturedStack? {
    HostContext.withCurrentContext { context in
      var frames: [RichFrame<UInt64>] = [.programCounter(UInt64(context.programCounter))]
      frames.reserveCapacity(limit)
      // Each frame starts with the caller's frame pointer, then the return
      // address; frame pointers grow towards the stack's base, which ends
      // the chain with 0 (checked as the runtime's unwinder checks it).
      var framePointer = UInt64(context.framePointer)
      while frames.count < limit, framePointer != 0, HostContext.isAlignedForStack(framePointer: framePointer) {
        let frame = UnsafePointer<UInt64>(bitPattern: UInt(framePointer))!
        let (next, returnAddress) = (frame[0], frame[1])
        if next <= framePointer || returnAddress == 0 { break }
        frames.append(.returnAddress(returnAddress))
        framePointer = next
      }
      return CapturedStack(frames: frames)
    }
  }

  /// The captured stack as the runtime's backtrace, for symbolication.
  private var backtrace: Backtrace {
    Backtrace(architecture: HostContext.withCurrentContext { $0.architecture }, frames: frames, images: nil)
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

  /// Whether `path` is a source file of this library or of Swift itself.
  /// Release builds record some paths relative to the package
  /// (`Sources/Micrograd/Tensor/…`), so a path is read as if it began with `/`.
  static func isLibrary(_ path: String) -> Bool {
    let path = path.hasPrefix("/") ? path : "/" + path
    return path.contains("/Sources/Micrograd/") || path.hasPrefix("/home/build-user/")
      || path.contains("/swift/stdlib/") || path.contains("/swift-corelibs-") || path.contains("/swift-testing/")
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
