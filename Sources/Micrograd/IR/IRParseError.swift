/// Why IR text could not be read: where (line and column, both from 1) and
/// what was expected there.
///
/// ```
/// 4:21: error: expected ']' after the dimensions, found 'x'
/// ```
public struct IRParseError: Error, CustomStringConvertible, Hashable, Sendable {
  /// What went wrong.
  public enum Reason: Hashable, Sendable {
    /// Something else stood where `expected` should be (`found` quotes it,
    /// or says `end of line`).
    case expected(String, found: String)
    /// The header names a format version this build cannot read
    /// (`supported` is the newest it reads; it reads every version from 1).
    case unsupportedVersion(Int, supported: Int)
    /// A number too large for its type.
    case numberTooLarge(String)
    /// A value declared twice (by the signature, an instruction or `dropped`).
    case redeclared(ValueID, firstLine: Int)
    /// A value used but declared nowhere.
    case undeclared(ValueID)
    /// Value numbers must run from %0 without gaps.
    case missingValue(ValueID, count: Int)
    /// Two places disagree (a name, a result list, a count).
    case mismatch(String)
  }

  /// The line, from 1.
  public var line: Int
  /// The column, from 1, counted in Unicode scalars.
  public var column: Int
  /// What went wrong.
  public var reason: Reason

  /// Creates an error.
  public init(line: Int, column: Int, reason: Reason) {
    self.line = line
    self.column = column
    self.reason = reason
  }

  /// The message without the position.
  public var message: String {
    switch reason {
    case .expected(let what, let found): "expected \(what), found \(found)"
    case .unsupportedVersion(let version, let supported):
      "unsupported IR version \(version); this build reads micrograd-ir "
        + (supported == 1 ? "1" : "1 to \(supported)")
    case .numberTooLarge(let text): "number \(text) is too large"
    case .redeclared(let id, let firstLine): "%\(id) is declared twice (first on line \(firstLine))"
    case .undeclared(let id): "%\(id) is used but never declared"
    case .missingValue(let id, let count):
      "values must be numbered %0 to %\(count - 1) without gaps, but %\(id) is never declared"
    case .mismatch(let what): what
    }
  }

  public var description: String { "\(line):\(column): error: \(message)" }
}
