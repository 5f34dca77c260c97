/// How the IR text spells its literals: floats exactly, strings quoted with
/// escapes, file paths and notes bare when that is unambiguous.
///
/// The printer writes these spellings and the parser reads them back; each
/// value has one canonical spelling, so printing a parsed program gives the
/// same text.
enum IRSpelling {
  /// The bit pattern of the quiet NaN Swift makes (`Float.nan`), spelled `nan`.
  static let quietNaN: UInt32 = 0x7fc0_0000

  /// A float that reads back to the same bits: Swift's shortest round-trip
  /// decimal (`1.0`, `-0.0`, `1e-05`), `inf`, `-inf`, `nan`, `-nan`, or for
  /// any other NaN its bit pattern, `nan(0x7fc00001)`.
  static func float(_ x: Float) -> String {
    if x.isNaN {
      switch x.bitPattern {
      case quietNaN: return "nan"
      case quietNaN | 0x8000_0000: return "-nan"
      default: return "nan(0x" + hex(x.bitPattern) + ")"
      }
    }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    return x.description
  }

  /// Eight hexadecimal digits.
  static func hex(_ bits: UInt32) -> String {
    let digits = String(bits, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
  }

  /// `"text"` with `\\`, `\"`, `\n`, `\t`, `\r` and `\u{…}` for other
  /// control characters.
  static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": result += "\\\\"
      case "\"": result += "\\\""
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      case _ where isControl(scalar): result += "\\u{" + String(scalar.value, radix: 16) + "}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }

  /// C0 and C1 control characters and DEL.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
  }

  /// Whether `byte` may appear in a file path written bare (unquoted).
  static func isBarePathByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      true
    case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "+"),
      UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: ">"):
      true
    default: false
    }
  }

  /// `file:line`, the file quoted when it holds anything but letters,
  /// digits and `_-./+~<>` (a space, a colon, non-ASCII).
  static func location(_ location: SourceLocation) -> String {
    let bare = !location.file.isEmpty && location.file.utf8.allSatisfy(isBarePathByte)
    return (bare ? location.file : quoted(location.file)) + ":\(location.line)"
  }

  /// A note as written after `#`: bare when it cannot be misread (not
  /// empty, no `#`, no control characters, no space at either end, not
  /// starting with a quote), else quoted.
  static func note(_ note: String) -> String {
    let scalars = note.unicodeScalars
    guard let first = scalars.first, let last = scalars.last else { return quoted(note) }
    let bare =
      first != " " && first != "\"" && last != " " && !scalars.contains { $0 == "#" || isControl($0) }
    return bare ? note : quoted(note)
  }

  /// Whether `name` is a bare identifier: a letter or `_`, then letters,
  /// digits, `_` and `.`.
  static func isIdentifier(_ name: String) -> Bool {
    guard let first = name.utf8.first, isIdentifierStart(first) else { return false }
    return name.utf8.allSatisfy(isIdentifierByte)
  }

  static func isIdentifierStart(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
      || byte == UInt8(ascii: "_")
  }

  static func isIdentifierByte(_ byte: UInt8) -> Bool {
    isIdentifierStart(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
  }
}
