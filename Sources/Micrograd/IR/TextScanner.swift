/// A cursor over IR text: reads the literals of the format (identifiers,
/// numbers, floats, quoted strings, paths) and makes errors that name the
/// line and column where something unexpected stood.
///
/// Works on the UTF-8 bytes; every read is bounds-checked, numbers are read
/// with overflow checks, and nothing is allocated from a number it reads.
struct TextScanner {
  /// A position, cheap to keep (the column is computed only for errors).
  struct Mark {
    var line: Int
    var lineStart: Int
    var offset: Int
  }

  let bytes: [UInt8]
  private(set) var offset = 0
  private(set) var line = 1
  private(set) var lineStart = 0

  init(_ text: String) {
    bytes = Array(text.utf8)
  }

  var mark: Mark { Mark(line: line, lineStart: lineStart, offset: offset) }

  /// The byte under the cursor; nil at the end.
  var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

  /// The byte `k` past the cursor; nil past the end.
  func peek(_ k: Int) -> UInt8? { offset + k < bytes.count ? bytes[offset + k] : nil }

  var atEnd: Bool { offset >= bytes.count }

  /// At a newline or the end.
  var atLineEnd: Bool { current == nil || current == newline }

  mutating func advance() {
    guard offset < bytes.count else { return }
    if bytes[offset] == newline {
      line += 1
      lineStart = offset + 1
    }
    offset += 1
  }

  /// Skips spaces, tabs and carriage returns (not newlines).
  mutating func skipBlanks() {
    while let byte = current, byte == space || byte == tab || byte == carriageReturn { advance() }
  }

  /// Skips blanks and newlines.
  mutating func skipWhitespace() {
    while let byte = current, byte == space || byte == tab || byte == carriageReturn || byte == newline { advance() }
  }

  /// Skips to just past the next newline.
  mutating func skipLine() {
    while let byte = current, byte != newline { advance() }
    advance()
  }

  /// Whether the bytes at the cursor spell `word`.
  func looksAt(_ word: String) -> Bool {
    var k = 0
    for byte in word.utf8 {
      guard peek(k) == byte else { return false }
      k += 1
    }
    return true
  }

  /// Consumes `byte` if it is under the cursor.
  mutating func take(_ byte: UInt8) -> Bool {
    guard current == byte else { return false }
    advance()
    return true
  }

  /// Consumes `word` if it is at the cursor.
  mutating func take(_ word: String) -> Bool {
    guard looksAt(word) else { return false }
    for _ in word.utf8 { advance() }
    return true
  }

  /// Consumes `word` or throws "expected `what`".
  mutating func expect(_ word: String, _ what: String? = nil) throws(IRParseError) {
    guard take(word) else { throw expected(what ?? "'\(word)'") }
  }

  /// Blanks, then the end of the line (consumed).
  mutating func expectLineEnd(_ what: String = "end of line") throws(IRParseError) {
    skipBlanks()
    guard atLineEnd else { throw expected(what) }
    advance()
  }

  // MARK: Literals

  /// `[A-Za-z_][A-Za-z0-9_.]*`, or nil (nothing consumed).
  mutating func identifier() -> String? {
    guard let first = current, IRSpelling.isIdentifierStart(first) else { return nil }
    let start = offset
    while let byte = current, IRSpelling.isIdentifierByte(byte) { advance() }
    return String(decoding: bytes[start..<offset], as: UTF8.self)
  }

  /// An identifier, or throws "expected `what`".
  mutating func expectIdentifier(_ what: String) throws(IRParseError) -> String {
    guard let name = identifier() else { throw expected(what) }
    return name
  }

  /// `-?[0-9]+` as an Int.
  mutating func integer(_ what: String, allowNegative: Bool = true) throws(IRParseError) -> Int {
    let start = mark
    let negative = allowNegative && current == minus && isDigit(peek(1))
    if negative { advance() }
    guard isDigit(current) else { throw expected(what) }
    var value = 0
    var overflow = false
    while let byte = current, isDigit(byte) {
      if !overflow {
        let (times, o1) = value.multipliedReportingOverflow(by: 10)
        let (plus, o2) = times.addingReportingOverflow(Int(byte - zero))
        overflow = o1 || o2
        value = plus
      }
      advance()
    }
    if overflow {
      throw error(.numberTooLarge(excerpt(from: start.offset, to: offset)), at: start)
    }
    return negative ? -value : value
  }

  /// A non-negative integer.
  mutating func count(_ what: String) throws(IRParseError) -> Int {
    try integer(what, allowNegative: false)
  }

  /// A float as ``IRSpelling/float(_:)`` writes it (a plain decimal with an
  /// optional exponent, `inf`, `nan`, `nan(0x…)`, each optionally negative).
  mutating func float(_ what: String) throws(IRParseError) -> Float {
    let start = mark
    let negative = take(minus)
    if take("inf") { return negative ? -.infinity : .infinity }
    if take("nan") {
      var bits = IRSpelling.quietNaN
      if take(UInt8(ascii: "(")) {
        guard !negative else {
          throw error(.expected("nan(0x…) without '-' (its bits hold the sign)", found: found(at: start)), at: start)
        }
        guard take("0x") else { throw expected("'0x' and the NaN's bits") }
        let digitsStart = offset
        var value: UInt64 = 0
        while let byte = current, let digit = hexValue(byte), offset - digitsStart < 9 {
          value = value * 16 + UInt64(digit)
          advance()
        }
        guard offset > digitsStart, offset - digitsStart <= 8, value <= UInt64(UInt32.max) else {
          throw expected("1 to 8 hexadecimal digits of a NaN's bits")
        }
        try expect(")")
        bits = UInt32(value)
        guard Float(bitPattern: bits).isNaN else {
          throw error(.mismatch("nan(0x\(IRSpelling.hex(bits))) is not a NaN bit pattern"), at: start)
        }
        return Float(bitPattern: bits)
      }
      return Float(bitPattern: negative ? bits | 0x8000_0000 : bits)
    }
    let text = try decimalLiteral(what, from: start)
    guard let value = Float(text) else { throw error(.expected(what, found: "'\(text)'"), at: start) }
    return value
  }

  /// A finite double written as Swift's `description` writes it (for
  /// optimizer hyper-parameters, which are Python floats in PyTorch).
  mutating func double(_ what: String) throws(IRParseError) -> Double {
    let start = mark
    _ = take(minus)
    let text = try decimalLiteral(what, from: start)
    guard let value = Double(text), value.isFinite else { throw error(.expected(what, found: "'\(text)'"), at: start) }
    return value
  }

  /// The text from `start` through a plain decimal with an optional
  /// fraction and exponent (the sign, if any, already taken).
  private mutating func decimalLiteral(_ what: String, from start: Mark) throws(IRParseError) -> String {
    let digitsStart = offset
    while isDigit(current) { advance() }
    guard offset > digitsStart else { throw error(.expected(what, found: found(at: start)), at: start) }
    if take(UInt8(ascii: ".")) {
      guard isDigit(current) else { throw expected("digits after '.'") }
      while isDigit(current) { advance() }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      advance()
      if current == plus || current == minus { advance() }
      guard isDigit(current) else { throw expected("the digits of an exponent") }
      while isDigit(current) { advance() }
    }
    return String(decoding: bytes[start.offset..<offset], as: UTF8.self)
  }

  /// `"…"` with the escapes ``IRSpelling/quoted(_:)`` writes.
  mutating func quotedString(_ what: String) throws(IRParseError) -> String {
    guard take(quote) else { throw expected(what) }
    var result: [UInt8] = []
    while true {
      guard let byte = current, byte != newline else { throw expected("'\"' to close the string") }
      advance()
      if byte == quote { break }
      guard byte == backslash else {
        result.append(byte)
        continue
      }
      let escape = mark
      switch current {
      case backslash: result.append(backslash)
      case quote: result.append(quote)
      case UInt8(ascii: "n"): result.append(newline)
      case UInt8(ascii: "t"): result.append(tab)
      case UInt8(ascii: "r"): result.append(carriageReturn)
      case UInt8(ascii: "u"):
        advance()
        try expect("{", "'{' after \\u")
        var value: UInt32 = 0
        var digits = 0
        while let byte = current, let digit = hexValue(byte), digits < 8 {
          value = value * 16 + UInt32(digit)
          digits += 1
          advance()
        }
        guard digits > 0, current == UInt8(ascii: "}"), let scalar = Unicode.Scalar(value) else {
          throw error(.expected("a Unicode scalar like \\u{1b}", found: found(at: escape)), at: escape)
        }
        result += Array(String(Character(scalar)).utf8)
      default:
        throw expected("an escape (\\\\, \\\", \\n, \\t, \\r or \\u{…})")
      }
      advance()
    }
    return String(decoding: result, as: UTF8.self)
  }

  /// A source location's file: quoted, or bare (letters, digits, `_-./+~<>`).
  mutating func path() throws(IRParseError) -> String {
    if current == quote { return try quotedString("a file") }
    let start = offset
    while let byte = current, IRSpelling.isBarePathByte(byte) { advance() }
    guard offset > start else { throw expected("a file path") }
    return String(decoding: bytes[start..<offset], as: UTF8.self)
  }

  // MARK: Errors

  /// The column of `mark`, counting Unicode scalars from 1.
  func column(of mark: Mark) -> Int {
    var column = 1
    var k = mark.lineStart
    while k < mark.offset && k < bytes.count {
      if bytes[k] & 0xC0 != 0x80 { column += 1 }
      k += 1
    }
    return column
  }

  func error(_ reason: IRParseError.Reason, at mark: Mark) -> IRParseError {
    IRParseError(line: mark.line, column: column(of: mark), reason: reason)
  }

  /// "expected `what`, found …" at the cursor.
  func expected(_ what: String) -> IRParseError {
    error(.expected(what, found: found(at: mark)), at: mark)
  }

  /// What stands at `mark`: `end of line`, `end of input`, or the next
  /// word in quotes (at most 24 characters).
  func found(at mark: Mark) -> String {
    guard mark.offset < bytes.count else { return "end of input" }
    if bytes[mark.offset] == newline { return "end of line" }
    var end = mark.offset
    var characters = 0
    while end < bytes.count, bytes[end] != newline, end == mark.offset || bytes[end] != space, characters < 24 {
      if bytes[end] & 0xC0 != 0x80 { characters += 1 }
      end += 1
    }
    while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
    return excerpt(from: mark.offset, to: end)
  }

  private func excerpt(from start: Int, to end: Int) -> String {
    let text = String(decoding: bytes[start..<min(end, start + 64)], as: UTF8.self)
    return "'"
      + text.unicodeScalars.map { IRSpelling.isControl($0) ? "\\u{\(String($0.value, radix: 16))}" : "\($0)" }
      .joined() + "'"
  }

  private func isDigit(_ byte: UInt8?) -> Bool {
    guard let byte else { return false }
    return byte >= zero && byte <= zero + 9
  }

  private func hexValue(_ byte: UInt8) -> Int? {
    switch byte {
    case zero...(zero + 9): Int(byte - zero)
    case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
    default: nil
    }
  }
}

private let newline = UInt8(ascii: "\n")
private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")
private let carriageReturn = UInt8(ascii: "\r")
private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let minus = UInt8(ascii: "-")
private let plus = UInt8(ascii: "+")
private let zero = UInt8(ascii: "0")
