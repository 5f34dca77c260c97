/// Reads IR text (as ``Program/text(name:)`` prints it) back into a
/// ``Program``: the exact inverse of the printer.
///
/// ```swift
/// let program = try Program(parsing: text)
/// let parsed = try IRParser.parse(text)   // with the line of each instruction
/// try validate(parsed.program, lines: parsed.lines)
/// ```
///
/// The parser checks the text's form (and that every value is declared
/// once); whether the program makes sense (shapes, SSA order, buffers) is
/// ``validate(_:lines:limits:)``'s job. No input makes it crash or allocate
/// more than the text's own size: numbers are read with overflow checks and
/// the grammar has no recursion.
public enum IRParser {
  /// The program the text spells, with the line of each part.
  public static func parse(_ text: String) throws(IRParseError) -> ParsedProgram {
    var reader = ProgramReader(text)
    return try reader.read()
  }
}

extension Program {
  /// The program spelled by `text`, IR as ``text(name:)`` prints it.
  public init(parsing text: String) throws(IRParseError) {
    self = try IRParser.parse(text).program
  }
}

/// A parsed program and where each part of it was written.
public struct ParsedProgram: Sendable {
  /// The program.
  public var program: Program
  /// The line of each instruction and value, for the validator's errors.
  public var lines: IRLineTable
}

/// The lines of a parsed program's parts (kept apart from ``Program``, so
/// that equality of programs ignores where they were read from).
public struct IRLineTable: Hashable, Sendable {
  /// The line of each instruction.
  public var instructions: [Int]
  /// The line declaring each value.
  public var values: [Int]
  /// The line of the `memory` statement, if any.
  public var memoryPlan: Int?
  /// The line of the signature's results list.
  public var outputs: Int?

  /// Creates a table.
  public init(instructions: [Int], values: [Int], memoryPlan: Int? = nil, outputs: Int? = nil) {
    self.instructions = instructions
    self.values = values
    self.memoryPlan = memoryPlan
    self.outputs = outputs
  }
}

/// The parser's state while reading one text.
struct ProgramReader {
  /// One value as declared.
  struct Declaration {
    var value: Value
    var mark: TextScanner.Mark
  }

  var scanner: TextScanner
  /// The format version the header names.
  var version = Program.formatVersion
  var declarations: [ValueID: Declaration] = [:]
  /// Every use of a value, checked against the declarations at the end.
  var references: [(ValueID, TextScanner.Mark)] = []
  var instructions: [Instruction] = []
  var instructionLines: [Int] = []
  var outputs: [ValueID] = []
  /// Names the signature's result list gives its outputs.
  var outputNames: [(ValueID, String, TextScanner.Mark)] = []
  var buffers: [ValueID: (Int, TextScanner.Mark)] = [:]
  var memory: (sizes: [Int], peak: Int, naive: Int, line: Int)?
  var section: Instruction.Section = .forward
  var outputsLine: Int?

  init(_ text: String) {
    scanner = TextScanner(text)
  }

  mutating func read() throws(IRParseError) -> ParsedProgram {
    skipBlankAndCommentLines()
    try header()
    skipBlankAndCommentLines()
    try signature()
    try body()
    try trailer()
    return try assemble()
  }

  /// `micrograd-ir 1`.
  mutating func header() throws(IRParseError) {
    try scanner.expect("micrograd-ir", "the header 'micrograd-ir \(Program.formatVersion)'")
    guard scanner.take(UInt8(ascii: " ")) else { throw scanner.expected("' ' and the format version") }
    scanner.skipBlanks()
    let versionMark = scanner.mark
    let version = try scanner.integer("the format version")
    guard (Program.oldestFormatVersion...Program.formatVersion).contains(version) else {
      throw scanner.error(.unsupportedVersion(version, supported: Program.formatVersion), at: versionMark)
    }
    self.version = version
    try scanner.expectLineEnd()
  }

  /// `func @main(` declarations `) -> (` results `) {`.
  mutating func signature() throws(IRParseError) {
    try scanner.expect("func", "'func @main('")
    scanner.skipBlanks()
    try scanner.expect("@", "'@' and the function's name")
    if scanner.current == UInt8(ascii: "\"") {
      _ = try scanner.quotedString("the function's name")
    } else {
      _ = try scanner.expectIdentifier("the function's name")
    }
    try scanner.expect("(")
    scanner.skipWhitespace()
    while !scanner.take(UInt8(ascii: ")")) {
      try declaration(inSignature: true)
      scanner.skipBlanks()
      if !scanner.take(UInt8(ascii: ",")) && !scanner.atLineEnd && scanner.current != UInt8(ascii: ")") {
        throw scanner.expected("',' or ')' after a declaration")
      }
      scanner.skipWhitespace()
    }
    scanner.skipBlanks()
    try scanner.expect("->", "'->' and the results")
    scanner.skipBlanks()
    try scanner.expect("(", "'(' before the results")
    outputsLine = scanner.line
    scanner.skipWhitespace()
    while !scanner.take(UInt8(ascii: ")")) {
      let (id, mark) = try reference()
      outputs.append(id)
      scanner.skipBlanks()
      if scanner.current == UInt8(ascii: "\"") {
        outputNames.append((id, try scanner.quotedString("a name"), mark))
      }
      scanner.skipWhitespace()
      if !scanner.take(UInt8(ascii: ",")) && scanner.current != UInt8(ascii: ")") {
        throw scanner.expected("',' or ')' after a result")
      }
      scanner.skipWhitespace()
    }
    scanner.skipBlanks()
    try scanner.expect("{", "'{' to open the body")
    try scanner.expectLineEnd()
  }

  /// `%3: f32[2,3] buf1 param "name"` in the signature (a role is
  /// required there), `%3: f32[2,3] buf1 "name"` after `dropped`.
  mutating func declaration(inSignature: Bool) throws(IRParseError) {
    let mark = scanner.mark
    guard scanner.take(UInt8(ascii: "%")) else { throw scanner.expected("a value like %3") }
    let id = try scanner.count("the number of a value after '%'")
    try scanner.expect(":", "':' and the value's type")
    scanner.skipBlanks()
    let shape = try type()
    try buffer(of: id)
    var role = Value.Role.temporary
    if inSignature {
      scanner.skipBlanks()
      role = try self.role()
    }
    scanner.skipBlanks()
    let name = scanner.current == UInt8(ascii: "\"") ? try scanner.quotedString("a name") : ""
    try declare(id, Value(shape: shape, role: role, name: name), at: mark)
  }

  mutating func role() throws(IRParseError) -> Value.Role {
    let mark = scanner.mark
    switch scanner.identifier() {
    case "input": return .input
    case "param": return .parameter
    case "state": return .state
    case "captured": return .captured
    case "const":
      try scanner.expect("(", "'(' and the constant's elements")
      var data: [Float] = []
      scanner.skipBlanks()
      while !scanner.take(UInt8(ascii: ")")) {
        if !data.isEmpty {
          try scanner.expect(",", "',' or ')' in the constant's elements")
          scanner.skipBlanks()
        }
        data.append(try scanner.float("a float"))
        scanner.skipBlanks()
      }
      return .constant(data)
    default:
      throw scanner.error(
        .expected("a role (input, param, state, captured or const(…))", found: scanner.found(at: mark)), at: mark)
    }
  }

  /// `f32[2,3]`.
  mutating func type() throws(IRParseError) -> Shape {
    try scanner.expect("f32", "a type like f32[2,3]")
    try scanner.expect("[", "'[' and the dimensions")
    var dims: [Int] = []
    scanner.skipBlanks()
    while !scanner.take(UInt8(ascii: "]")) {
      if !dims.isEmpty {
        try scanner.expect(",", "',' or ']' after a dimension")
        scanner.skipBlanks()
      }
      dims.append(try scanner.integer("a dimension"))
      scanner.skipBlanks()
    }
    return Shape(dims)
  }

  /// An optional ` buf3` after a type.
  mutating func buffer(of id: ValueID) throws(IRParseError) {
    scanner.skipBlanks()
    guard scanner.looksAt("buf"), let next = scanner.peek(3), next >= UInt8(ascii: "0"), next <= UInt8(ascii: "9")
    else { return }
    let mark = scanner.mark
    try scanner.expect("buf")
    buffers[id] = (try scanner.count("a buffer number"), mark)
  }

  /// `%3`, recorded as a use.
  mutating func reference() throws(IRParseError) -> (ValueID, TextScanner.Mark) {
    let mark = scanner.mark
    guard scanner.take(UInt8(ascii: "%")) else { throw scanner.expected("a value like %3") }
    let id = try scanner.count("the number of a value after '%'")
    references.append((id, mark))
    return (id, mark)
  }

  /// `%1, %2`: at least one value.
  mutating func valueList() throws(IRParseError) -> [ValueID] {
    var ids = [try reference().0]
    scanner.skipBlanks()
    while scanner.take(UInt8(ascii: ",")) {
      scanner.skipBlanks()
      ids.append(try reference().0)
      scanner.skipBlanks()
    }
    return ids
  }

  mutating func declare(_ id: ValueID, _ value: Value, at mark: TextScanner.Mark) throws(IRParseError) {
    if let first = declarations[id] {
      throw scanner.error(.redeclared(id, firstLine: first.mark.line), at: mark)
    }
    declarations[id] = Declaration(value: value, mark: mark)
  }

  /// Blank lines and `#` comment lines (not `##` section lines).
  mutating func skipBlankAndCommentLines() {
    while true {
      scanner.skipBlanks()
      if scanner.atLineEnd && !scanner.atEnd {
        scanner.advance()
      } else if scanner.current == UInt8(ascii: "#") && scanner.peek(1) != UInt8(ascii: "#") {
        scanner.skipLine()
      } else {
        return
      }
    }
  }
}
