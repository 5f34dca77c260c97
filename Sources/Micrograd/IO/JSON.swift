// JSON: the small strict JSON reader and writer behind the safetensors header.

/// A JSON value; objects keep their keys in file order.
indirect enum JSONValue {
  case null
  case bool(Bool)
  /// A number, kept as its text so integers of any size can be checked exactly.
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  /// What kind of value this is, for messages.
  var kind: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

/// A strict RFC 8259 reader of UTF-8 bytes: nesting at most 128 deep (as
/// serde_json), duplicate keys rejected, errors naming the byte offset.
struct JSONParser {
  private let bytes: UnsafeRawBufferPointer
  /// The offset of `bytes[0]` in the file, for messages.
  private let fileOffset: Int
  private var position = 0
  private static let depthLimit = 128

  /// Parses `bytes` as exactly one JSON value with optional whitespace around it.
  static func parse(_ bytes: UnsafeRawBufferPointer, fileOffset: Int) throws(JSONError) -> JSONValue {
    var parser = JSONParser(bytes: bytes, fileOffset: fileOffset)
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    if parser.position < bytes.count { throw parser.error("unexpected \(parser.found) after the JSON value") }
    return value
  }

  private init(bytes: UnsafeRawBufferPointer, fileOffset: Int) {
    self.bytes = bytes
    self.fileOffset = fileOffset
  }

  private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

  private var found: String {
    peek.map(quotedByte) ?? "end of header"
  }

  private func error(_ message: String, at offset: Int? = nil) -> JSONError {
    JSONError(offset: fileOffset + (offset ?? position), message: message)
  }

  private mutating func skipSpace() {
    while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
  }

  private mutating func value(depth: Int) throws(JSONError) -> JSONValue {
    guard depth < Self.depthLimit else { throw error("nested more than \(Self.depthLimit) deep") }
    guard let byte = peek else { throw error("expected a JSON value, found \(found)") }
    switch byte {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("expected a JSON value, found \(found)")
    }
  }

  private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONError) -> JSONValue {
    guard bytes[position...].starts(with: word.utf8) else { throw error("expected \(word), found \(found)") }
    position += word.utf8.count
    return value
  }

  private mutating func object(depth: Int) throws(JSONError) -> JSONValue {
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    var keys: Set<String> = []
    skipSpace()
    if peek == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipSpace()
      let keyOffset = position
      guard peek == UInt8(ascii: "\"") else { throw error("expected a string key, found \(found)") }
      let key = try string()
      guard keys.insert(key).inserted else { throw error("duplicate key \"\(oneLine(key))\"", at: keyOffset) }
      skipSpace()
      guard peek == UInt8(ascii: ":") else { throw error("expected ':' after a key, found \(found)") }
      position += 1
      skipSpace()
      members.append((key, try value(depth: depth + 1)))
      skipSpace()
      switch peek {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "}"):
        position += 1
        return .object(members)
      default: throw error("expected ',' or '}' in an object, found \(found)")
      }
    }
  }

  private mutating func array(depth: Int) throws(JSONError) -> JSONValue {
    position += 1
    var elements: [JSONValue] = []
    skipSpace()
    if peek == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    while true {
      skipSpace()
      elements.append(try value(depth: depth + 1))
      skipSpace()
      switch peek {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "]"):
        position += 1
        return .array(elements)
      default: throw error("expected ',' or ']' in an array, found \(found)")
      }
    }
  }

  private mutating func number() throws(JSONError) -> JSONValue {
    let start = position
    func digits() -> Int {
      let first = position
      while let byte = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
      return position - first
    }
    if peek == UInt8(ascii: "-") { position += 1 }
    let integerStart = position
    let integerDigits = digits()
    guard integerDigits > 0 else { throw error("expected digits in a number", at: integerStart) }
    if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
      throw error("a number cannot have leading zeros", at: integerStart)
    }
    if peek == UInt8(ascii: ".") {
      position += 1
      guard digits() > 0 else { throw error("expected digits after '.'") }
    }
    if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
      position += 1
      if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
      guard digits() > 0 else { throw error("expected digits in an exponent") }
    }
    return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self))
  }

  /// A string; the bytes were checked to be UTF-8 before parsing.
  private mutating func string() throws(JSONError) -> String {
    let start = position
    position += 1
    var text: [UInt8] = []
    while true {
      guard let byte = peek else { throw error("unterminated string", at: start) }
      position += 1
      switch byte {
      case UInt8(ascii: "\""):
        return String(decoding: text, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let escape = peek else { throw error("unterminated string", at: start) }
        position += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"): text.append(contentsOf: try unicodeEscape().utf8)
        default: throw error("invalid escape: backslash then \(quotedByte(escape))", at: position - 2)
        }
      case 0..<0x20:
        throw error("control character \(quotedByte(byte)) in a string", at: position - 1)
      default:
        text.append(byte)
      }
    }
  }

  /// The character of a `\uXXXX` escape (after the `u`), joining a surrogate pair.
  private mutating func unicodeEscape() throws(JSONError) -> String {
    let start = position - 2
    let high = try hexQuad()
    var value = UInt32(high)
    if (0xD800..<0xDC00).contains(high) {
      guard bytes[position...].starts(with: "\\u".utf8) else { throw error("lone surrogate in \\u escape", at: start) }
      position += 2
      let low = try hexQuad()
      guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair in \\u escape", at: start) }
      value = 0x10000 + (UInt32(high) - 0xD800) << 10 + (UInt32(low) - 0xDC00)
    }
    guard let scalar = Unicode.Scalar(value) else { throw error("lone surrogate in \\u escape", at: start) }
    return String(Character(scalar))
  }

  private mutating func hexQuad() throws(JSONError) -> UInt16 {
    var value: UInt16 = 0
    for _ in 0..<4 {
      guard let byte = peek, let digit = Int(String(UnicodeScalar(byte)), radix: 16) else {
        throw error("expected four hex digits in a \\u escape")
      }
      value = value << 4 | UInt16(digit)
      position += 1
    }
    return value
  }
}

/// A JSON syntax error at a byte offset of the file.
struct JSONError: Error {
  var offset: Int
  var message: String
}

/// JSON text written the way serde_json writes it: no spaces, keys in the
/// given order, only `"`, `\` and control characters escaped (non-ASCII as is).
enum JSONWriter {
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// `{"k":"v",...}` with the pairs in the given order.
  static func object(_ members: [(key: String, json: String)]) -> String {
    "{" + members.map { quoted($0.key) + ":" + $0.json }.joined(separator: ",") + "}"
  }
}
