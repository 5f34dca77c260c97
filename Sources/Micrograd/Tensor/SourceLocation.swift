import Runtime

/// A place in the user's source code: where a tensor operation was written.
///
/// Public functions take `file: StaticString = #fileID, line: UInt = #line` and
/// pass them down, so an error can point at the line the user wrote. Operators
/// (`a + b`) cannot take extra arguments; for them `SourceLocation.caller()`
/// finds the user's frame from a symbolicated backtrace, on the error path only.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  /// The file, as `#fileID` spells it (`Module/File.swift`) or a path.
  public var file: String
  /// The 1-based line number; 0 when unknown.
  public var line: Int

  /// Creates a location from a file name and line.
  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }

  /// Creates a location from the `#fileID` and `#line` a caller passed down.
  public init(_ file: StaticString, _ line: UInt) {
    self.file = "\(file)"
    self.line = Int(line)
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
  let stack: CapturedStack?

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
  init(stack: CapturedStack?) {
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
    if let stack { return stack.location }
    return line == 0 ? SourceLocation.caller() : SourceLocation(file, line)
  }

  /// The site an op made here is attributed to: inside a backward rule, the
  /// forward op's site; for an operator while tracing, the location found
  /// now from the call stack; otherwise this site.
  func settled(tracing: Bool) -> CallSite {
    if let rule = CallSite.rule { return rule }
    return tracing && isUnresolved ? CallSite(stack: CapturedStack.capture()) : self
  }
}
