import Runtime
import Synchronization

/// A place in the user's source code: where a tensor operation was written.
///
/// Public functions take `file: StaticString = #fileID, line: UInt = #line` and
/// pass them down, so an error can point at the line the user wrote. Operators
/// (`a + b`) cannot take extra arguments; for them `SourceLocation.caller()`
/// finds the user's frame from a symbolicated backtrace, on the error path only.
///
/// An operator's location inside a trace is *pending*: a captured call stack
/// resolved to a line the first time its ``file`` or ``line`` is read (or it
/// is compared, hashed or printed), so that compiling a traced function never
/// symbolicates. Either way it behaves as the plain value it resolves to.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  /// Known, or a call stack still to resolve.
  private var place: Place

  private enum Place: Sendable {
    case known(file: String, line: Int)
    case pending(PendingLocation)
  }

  /// The file, as `#fileID` spells it (`Module/File.swift`) or a path.
  public var file: String {
    get { resolved.file }
    set { place = .known(file: newValue, line: line) }
  }
  /// The 1-based line number; 0 when unknown.
  public var line: Int {
    get { resolved.line }
    set { place = .known(file: file, line: newValue) }
  }

  /// Creates a location from a file name and line.
  public init(file: String, line: Int) {
    place = .known(file: file, line: line)
  }

  /// Creates a location from the `#fileID` and `#line` a caller passed down.
  public init(_ file: StaticString, _ line: UInt) {
    place = .known(file: "\(file)", line: Int(line))
  }

  /// The location a captured call stack will resolve to, when first read.
  init(pending: PendingLocation) {
    place = .pending(pending)
  }

  /// Whether the location is still a call stack to resolve.
  var isPending: Bool {
    if case .pending(let pending) = place { return !pending.isResolved }
    return false
  }

  private var resolved: (file: String, line: Int) {
    switch place {
    case .known(let file, let line): (file, line)
    case .pending(let pending): pending.resolved
    }
  }

  public static func == (a: SourceLocation, b: SourceLocation) -> Bool {
    a.resolved == b.resolved
  }

  public func hash(into hasher: inout Hasher) {
    let (file, line) = resolved
    hasher.combine(file)
    hasher.combine(line)
  }

  /// A location that is not known.
  public static let unknown = SourceLocation(file: "<unknown>", line: 0)

  public var description: String { "\(file):\(line)" }

  /// The innermost frame of the call stack that lies outside this library.
  ///
  /// Used when an operator reports an error; returns ``unknown`` when the
  /// binary has no debug info.
  static func caller() -> SourceLocation {
    CapturedStack.capture().map(\.location) ?? .unknown
  }

  /// The last two path components (`moons/main.swift`), like `#fileID`.
  private static func shortened(_ path: String) -> String {
    let parts = path.split(separator: "/")
    return parts.suffix(2).joined(separator: "/")
  }
}

/// Where a tensor operation was called, captured without allocating.
///
/// Ops keep this and turn it into a ``SourceLocation`` only when needed (an
/// error, a trace). A call site from an operator has no line and is resolved
/// from the call stack.
public struct CallSite: Sendable {
  let file: StaticString
  let line: UInt
  /// A location already known (an IR file's, or a rule's).
  let resolved: SourceLocation?
  /// The call stack captured when an operator made an op while tracing,
  /// resolved to a location only when asked (symbolication is slow).
  let stack: PendingLocation?

  /// A call site from the `#fileID` and `#line` a caller passed down.
  public init(_ file: StaticString, _ line: UInt) {
    self.file = file
    self.line = line
    self.resolved = nil
    self.stack = nil
  }

  /// A call site already resolved to a location.
  init(resolved: SourceLocation) {
    self.file = ""
    self.line = 0
    self.resolved = resolved
    self.stack = nil
  }

  /// A call site known by its captured call stack.
  init(stack: PendingLocation?) {
    self.file = ""
    self.line = 0
    self.resolved = nil
    self.stack = stack
  }

  /// The call site of an operator, resolved from the call stack on demand.
  static let fromOperator = CallSite("", 0)

  /// Whether this site still has to be found from the call stack: an
  /// operator's, or one inside this library (`Linear` calling `matmul`),
  /// where the user's line is further up the stack.
  var isUnresolved: Bool {
    guard resolved == nil && stack == nil else { return false }
    return line == 0 || isInsideLibrary
  }

  /// Whether `#fileID` names a file of this library.
  private var isInsideLibrary: Bool {
    file.withUTF8Buffer { $0.starts(with: "Micrograd/".utf8) }
  }

  /// The site of the forward op whose backward rule is running: ops made
  /// by a rule are attributed to the line that made the forward op.
  @TaskLocal static var rule: CallSite?

  /// The user's source location for this call.
  public var location: SourceLocation {
    if let resolved { return resolved }
    if let stack { return SourceLocation(pending: stack) }
    return line == 0 ? SourceLocation.caller() : SourceLocation(file, line)
  }

  /// The site an op made here is attributed to: inside a backward rule, the
  /// forward op's site; for an operator while tracing, the location found
  /// now from the call stack; otherwise this site.
  func settled(tracing: Bool) -> CallSite {
    if let rule = CallSite.rule { return rule }
    return tracing && isUnresolved ? CallSite(stack: CapturedStack.capture().map(PendingLocation.init)) : self
  }
}

/// A captured call stack and, once asked, the user's location it resolves to.
///
/// Shared by every op, instruction and note made from one traced op, so it is
/// resolved once however often it is read.
final class PendingLocation: Sendable {
  private let stack: CapturedStack
  private let location = Mutex<(file: String, line: Int)?>(nil)

  init(_ stack: CapturedStack) {
    self.stack = stack
  }

  /// Whether the stack has been resolved already.
  var isResolved: Bool { location.withLock { $0 != nil } }

  /// The user's location: resolved from the stack the first time.
  var resolved: (file: String, line: Int) {
    if let known = location.withLock({ $0 }) { return known }
    let found = stack.location
    let pair = (file: found.file, line: found.line)
    location.withLock { $0 = pair }
    return pair
  }
}
