// NumPyHeader: the Python dict literal that describes a .npy array, read and written.

/// What a .npy header says: `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
struct NumPyHeader: Equatable {
  /// The numpy type string, like `<f4`.
  var descr: String
  /// Whether the data is column-major (Fortran order).
  var fortranOrder: Bool
  /// The dimensions.
  var shape: [Int]

  /// The header numpy writes for a C-order float32 array of `shape`, before
  /// padding: keys sorted, Python reprs, and spare spaces after it so the
  /// first dimension can grow in place (numpy's `GROWTH_AXIS_MAX_DIGITS`).
  static func float32Text(shape: [Int]) -> String {
    let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    let text = "{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }"
    guard let first = shape.first else { return text }
    return text + String(repeating: " ", count: max(0, 21 - String(first).count))
  }
}

/// A reader of the small Python literal in a .npy header: a dict with the
/// three keys, string values in either quote, `True`/`False`, a tuple of
/// non-negative ints (Python 2's `3L` and `1_000` accepted), any spacing and
/// trailing commas.
///
/// Everything numpy's own reader (`ast.literal_eval`) would reject is an
/// error here too, and so are duplicate keys. Errors name the byte offset in
/// the file.
struct NumPyHeaderParser {
  let bytes: [UInt8]
  /// The offset of `bytes[0]` in the file, for messages.
  let fileOffset: Int
  var position = 0

  init(_ bytes: [UInt8], fileOffset: Int) {
    self.bytes = bytes
    self.fileOffset = fileOffset
  }

  /// Parses the whole header.
  mutating func parse() throws(NumPyError.Problem) -> NumPyHeader {
    skipSpace()
    try expect(UInt8(ascii: "{"), "'{' opening the header dict")
    var descr: String?
    var fortranOrder: Bool?
    var shape: [Int]?
    while true {
      skipSpace()
      if peek == UInt8(ascii: "}") { break }
      let keyOffset = position
      let key = try string()
      skipSpace()
      try expect(UInt8(ascii: ":"), "':' after the key '\(oneLine(key))'")
      skipSpace()
      let duplicate: Bool
      switch key {
      case "descr":
        duplicate = descr != nil
        if peek == UInt8(ascii: "[") {
          throw .unsupportedDtype(descr: "[...]", reason: "structured arrays (a list of fields) are not supported")
        }
        descr = try string()
      case "fortran_order":
        duplicate = fortranOrder != nil
        fortranOrder = try bool()
      case "shape":
        duplicate = shape != nil
        shape = try tuple()
      default:
        throw malformed(at: keyOffset, "unexpected key '\(oneLine(key))' (expected descr, fortran_order and shape)")
      }
      if duplicate { throw malformed(at: keyOffset, "the key '\(key)' appears twice") }
      skipSpace()
      if peek == UInt8(ascii: ",") {
        position += 1
      } else if peek != UInt8(ascii: "}") {
        throw malformed(at: position, "expected ',' or '}' after the value of '\(key)', found \(found)")
      }
    }
    position += 1
    skipSpace()
    if position < bytes.count { throw malformed(at: position, "unexpected \(found) after the header dict") }
    guard let descr, let fortranOrder, let shape else {
      let missing = [("descr", descr == nil), ("fortran_order", fortranOrder == nil), ("shape", shape == nil)]
      let names = missing.filter(\.1).map(\.0).joined(separator: ", ")
      throw malformed(at: position, "the header dict lacks \(names)")
    }
    return NumPyHeader(descr: descr, fortranOrder: fortranOrder, shape: shape)
  }

  private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

  /// The byte at the current position, quoted for a message.
  private var found: String {
    peek.map(quotedByte) ?? "the end of the header"
  }

  private func malformed(at position: Int, _ message: String) -> NumPyError.Problem {
    .malformedHeader(offset: fileOffset + position, message: message)
  }

  private mutating func skipSpace() {
    while let byte = peek, byte == 0x20 || (0x09...0x0D).contains(byte) { position += 1 }
  }

  private mutating func expect(_ byte: UInt8, _ what: String) throws(NumPyError.Problem) {
    guard peek == byte else { throw malformed(at: position, "expected \(what), found \(found)") }
    position += 1
  }

  /// A quoted string without escapes (numpy never writes any).
  private mutating func string() throws(NumPyError.Problem) -> String {
    guard let quote = peek, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
      throw malformed(at: position, "expected a quoted string, found \(found)")
    }
    let start = position
    position += 1
    while let byte = peek, byte != quote {
      if byte == UInt8(ascii: "\\") { throw malformed(at: position, "escape sequences in strings are not supported") }
      if byte == 0x0A { break }
      position += 1
    }
    guard peek == quote else { throw malformed(at: start, "unterminated string") }
    position += 1
    return String(decoding: bytes[(start + 1)..<(position - 1)], as: UTF8.self)
  }

  private mutating func bool() throws(NumPyError.Problem) -> Bool {
    for (word, value) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
      position += word.utf8.count
      return value
    }
    throw malformed(at: position, "expected True or False, found \(found)")
  }

  /// A tuple of non-negative ints: `()`, `(3,)`, `(3, 4)`.
  private mutating func tuple() throws(NumPyError.Problem) -> [Int] {
    try expect(UInt8(ascii: "("), "'(' opening the shape tuple")
    var dims: [Int] = []
    var trailingComma = false
    while true {
      skipSpace()
      if peek == UInt8(ascii: ")") { break }
      dims.append(try integer())
      skipSpace()
      trailingComma = peek == UInt8(ascii: ",")
      if trailingComma {
        position += 1
      } else if peek != UInt8(ascii: ")") {
        throw malformed(at: position, "expected ',' or ')' in the shape tuple, found \(found)")
      }
    }
    if dims.count == 1 && !trailingComma {
      throw malformed(at: position, "(\(dims[0])) is an int, not a tuple; a 1-d shape is written (\(dims[0]),)")
    }
    position += 1
    return dims
  }

  /// A non-negative decimal int that fits in `Int`.
  private mutating func integer() throws(NumPyError.Problem) -> Int {
    let start = position
    if peek == UInt8(ascii: "-") { throw malformed(at: start, "a dimension cannot be negative") }
    var value = 0
    var digits = 0
    var overflow = false
    while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") {
      position += 1
      guard byte != UInt8(ascii: "_") else { continue }
      digits += 1
      let (times10, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
      overflow = overflow || o1 || o2
      value = sum
    }
    guard digits > 0 else { throw malformed(at: start, "expected a dimension (an int), found \(found)") }
    if peek == UInt8(ascii: "L") || peek == UInt8(ascii: "l") { position += 1 }
    if overflow {
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      throw .tooLarge("the dimension \(oneLine(text, limit: 40)) does not fit in 64 bits")
    }
    return value
  }
}
