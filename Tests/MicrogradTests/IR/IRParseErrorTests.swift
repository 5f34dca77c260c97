import Testing

@testable import Micrograd

/// Malformed IR text gives a typed error naming the line and column and
/// what was expected; no input makes the parser stop the process.
@Suite struct IRParseErrorTests {
  /// A small valid program; each case edits one part of it.
  static let valid = """
    micrograd-ir 1
    func @main(
        %0: f32[2,3] input "x",
        %1: f32[3] param "b"
    ) -> (%2 "y") {
      ## forward
      %2 = add %0, %1 : f32[2,3]  @ main.swift:3
      return %2
    }

    """

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    /// Replacements made in the valid program (none: the text is `with`).
    var edits: [(String, String)]
    /// The line the error should name, and the text its column points at
    /// (the first occurrence on that line).
    var line: Int
    var at: String
    var message: String
    var testDescription: String { name }

    init(name: String, replacing: String, with: String, line: Int, at: String, message: String) {
      self.init(name: name, edits: [(replacing, with)], line: line, at: at, message: message)
    }

    init(name: String, edits: [(String, String)], line: Int, at: String, message: String) {
      (self.name, self.edits, self.line, self.at, self.message) = (name, edits, line, at, message)
    }

    var text: String {
      if edits.count == 1 && edits[0].0.isEmpty { return edits[0].1 }
      return edits.reduce(IRParseErrorTests.valid) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
  }

  static let cases: [Case] = [
    Case(
      name: "empty text", replacing: "", with: "", line: 1, at: "",
      message: "expected the header 'micrograd-ir 2', found end of input"),
    Case(
      name: "no header", replacing: "micrograd-ir 1\n", with: "", line: 1, at: "func",
      message: "expected the header 'micrograd-ir 2', found 'func'"),
    Case(
      name: "future version", replacing: "micrograd-ir 1", with: "micrograd-ir 3", line: 1, at: "3",
      message: "unsupported IR version 3; this build reads micrograd-ir 1 to 2"),
    Case(
      name: "version too large", replacing: "micrograd-ir 1", with: "micrograd-ir 99999999999999999999", line: 1,
      at: "9", message: "number '99999999999999999999' is too large"),
    Case(
      name: "dimension too large", replacing: "f32[2,3] input", with: "f32[2,99999999999999999999] input", line: 3,
      at: "999", message: "is too large"),
    Case(
      name: "unclosed dimensions", replacing: "f32[2,3] input", with: "f32[2,3 input", line: 3, at: "input",
      message: "expected ',' or ']' after a dimension, found 'input'"),
    Case(
      name: "unknown element type", replacing: "%0: f32[2,3]", with: "%0: i32[2,3]", line: 3, at: "i32",
      message: "expected a type like f32[2,3], found 'i32[2,3]'"),
    Case(
      name: "unknown role", replacing: "f32[3] param", with: "f32[3] weight", line: 4, at: "weight",
      message: "expected a role (input, param, state, captured or const(…))"),
    Case(
      name: "unknown operation", replacing: "= add %0", with: "= frobnicate %0", line: 7, at: "frobnicate",
      message: "expected an operation, found 'frobnicate'"),
    Case(
      name: "undeclared value", replacing: "add %0, %1", with: "add %0, %7", line: 7, at: "%7",
      message: "%7 is used but never declared"),
    Case(
      name: "value declared twice", replacing: "%2 = add", with: "%1 = add", line: 7, at: "%1",
      message: "%1 is declared twice (first on line 4)"),
    Case(
      name: "results without types", replacing: " : f32[2,3]  @", with: "  @", line: 7, at: "@",
      message: "expected ':' and the results' types, found '@'"),
    Case(
      name: "fewer types than results", replacing: "%2 = add", with: "%2, %3 = add", line: 7, at: "@",
      message: "expected ',' and the type of %3 (one type per result), found '@'"),
    Case(
      name: "bad escape", replacing: "input \"x\"", with: "input \"x\\q\"", line: 3, at: "q",
      message: "expected an escape"),
    Case(
      name: "unterminated string", replacing: "input \"x\"", with: "input \"x", line: 3, at: "\n",
      message: "expected '\"' to close the string, found end of line"),
    Case(
      name: "bad unicode escape", replacing: "input \"x\"", with: "input \"\\u{110000}\"", line: 3, at: "u{",
      message: "expected a Unicode scalar like \\u{1b}"),
    Case(
      name: "unknown section", replacing: "## forward", with: "## sideways", line: 6, at: "sideways",
      message: "expected a section (forward, backward or update), found 'sideways'"),
    Case(
      name: "return differs", replacing: "return %2", with: "return %0", line: 8, at: "%0",
      message: "return (%0) differs from the signature's results (%2)"),
    Case(
      name: "no return", replacing: "  return %2\n", with: "", line: 8, at: "}",
      message: "expected 'return' before '}', found '}'"),
    Case(
      name: "statement after return", replacing: "  return %2\n", with: "  return %2\n  %3 = neg %2 : f32[2,3]\n",
      line: 9, at: "%3", message: "expected '}' after 'return'"),
    Case(
      name: "text after the body", replacing: "}\n", with: "}\nextra\n", line: 10, at: "extra",
      message: "expected end of input after the body (or a 'memory' line), found 'extra'"),
    Case(
      name: "unclosed body", replacing: "}\n", with: "", line: 9, at: "",
      message: "expected '}' to close the body, found end of input"),
    Case(
      name: "gap in value numbers", replacing: "%2", with: "%3", line: 7, at: "%3 =",
      message: "values must be numbered %0 to %2 without gaps, but %2 is never declared"),
    Case(
      name: "huge value number", replacing: "add %0, %1", with: "add %0, %99999999999999999999", line: 7, at: "99999",
      message: "is too large"),
    Case(
      name: "steps out of order", replacing: "add %0, %1", with: "fused{$2 = add($0, $1); $5 = relu($2) -> $5} %0, %1",
      line: 7, at: "$5 =", message: "expected $3 (steps write registers in order), found '$5'"),
    Case(
      name: "reduction inside a kernel", replacing: "add %0, %1", with: "fused{$2 = sum[axes=0]($0) -> $2} %0, %1",
      line: 7, at: "sum", message: "expected an elementwise operation (a kernel holds only those)"),
    Case(
      name: "kernel without arrow", replacing: "add %0, %1", with: "fused{$2 = add($0, $1) $2} %0, %1", line: 7,
      at: "$2}", message: "expected ';' and another step, or '->' and the results"),
    Case(
      name: "epilogue cannot reduce", replacing: "add %0, %1",
      with: "matmul+fused{$1 = neg($0) -> sum[axes=0]($1)} %0, %1", line: 7, at: "sum[",
      message: "expected a register like $0"),
    Case(
      name: "buffer without memory line", replacing: ": f32[2,3]  @", with: ": f32[2,3] buf0  @", line: 7, at: "buf0",
      message: "a value has a buffer but the program has no 'memory' line"),
    Case(
      name: "malformed memory line", replacing: "}\n", with: "}\nmemory buffers=[6] peak=24\n", line: 10, at: "\n",
      message: "expected 'naive=' and the naive bytes, found end of line"),
    Case(
      name: "float with two points", replacing: "f32[3] param", with: "f32[3] const(1.0.0)", line: 4, at: ".0)",
      message: "expected ',' or ')' in the constant's elements, found '.0)'"),
    Case(
      name: "NaN bits that are not a NaN", replacing: "f32[3] param", with: "f32[3] const(nan(0x3f800000))", line: 4,
      at: "nan", message: "nan(0x3f800000) is not a NaN bit pattern"),
    Case(
      name: "location without line", replacing: "@ main.swift:3", with: "@ main.swift", line: 7, at: "\n",
      message: "expected ':' and a line number, found end of line"),
    Case(
      name: "location with a space unquoted", replacing: "@ main.swift:3", with: "@ my main.swift:3", line: 7,
      at: " main.swift", message: "expected ':' and a line number, found ' main.swift:3'"),
    Case(
      name: "output named differently", edits: [("(%2 \"y\")", "(%0 \"z\")"), ("return %2", "return %0")], line: 5,
      at: "%0", message: "the results name %0 \"z\", elsewhere \"x\""),
    Case(
      name: "columns count characters", replacing: "@ main.swift:3", with: "@ \"ünï.swift\":x", line: 7, at: "x",
      message: "expected a line number, found 'x'"),
    Case(
      name: "slice without start", replacing: "add %0, %1", with: "slice[axis=0,step=1] %0", line: 7, at: "step",
      message: "expected 'start=', found 'step=1]'"),
    Case(
      name: "optimizer step without hyper-parameters", replacing: "add %0, %1", with: "adam %0", line: 7, at: " %0",
      message: "expected '[' and Adam's hyper-parameters"),
    Case(
      name: "optimizer hyper-parameter not a number", replacing: "add %0, %1",
      with: "sgd[momentum=x,dampening=0.0,weight_decay=0.0,nesterov=false] %0", line: 7, at: "x",
      message: "expected a number for momentum"),
    Case(
      name: "custom op not registered", replacing: "add %0, %1", with: "custom[nowhere.op] %0", line: 7,
      at: "nowhere", message: "custom op 'nowhere.op' is not registered in this process"),
    Case(
      name: "custom op without a name", replacing: "add %0, %1", with: "custom %0", line: 7, at: " %0",
      message: "expected '[' and the custom op's name"),
    Case(
      name: "embedding_backward without rows", replacing: "add %0, %1", with: "embedding_backward %0, %1", line: 7,
      at: " %0", message: "expected '[rows=…]'"),
  ]

  @Test(arguments: cases)
  func malformedTextNamesLineAndColumn(_ c: Case) throws {
    let lines = c.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let expectedColumn: Int
    if c.at == "\n" {
      expectedColumn = lines[c.line - 1].unicodeScalars.count + 1
    } else {
      let line = try #require(lines.indices.contains(c.line - 1) ? lines[c.line - 1] : "", "no line \(c.line)")
      let range = try #require(c.at.isEmpty ? line.startIndex..<line.startIndex : line.range(of: c.at))
      expectedColumn = line.unicodeScalars.distance(from: line.startIndex, to: range.lowerBound) + 1
    }
    #expect(throws: IRParseError.self) { try IRParser.parse(c.text) }
    do {
      _ = try IRParser.parse(c.text)
    } catch {
      #expect(error.line == c.line, "\(error)")
      #expect(error.column == expectedColumn, "\(error)")
      #expect(error.message.contains(c.message), "\(error)")
      #expect(error.description.hasPrefix("\(error.line):\(error.column): error: "))
    }
  }

  /// Inputs built to exhaust a parser: deep brackets, a million digits,
  /// a hundred thousand dimensions or operands, a huge value number. Each
  /// is refused by the parser or the validator, without recursion or
  /// allocation beyond the text's size.
  @Test func pathologicalInputs() throws {
    func edited(_ from: String, _ to: String) -> String { Self.valid.replacingOccurrences(of: from, with: to) }
    let parseErrors = [
      edited("add %0, %1", "fused" + String(repeating: "{", count: 200_000)),
      edited("add %0, %1", String(repeating: "(", count: 200_000)),
      edited("f32[2,3] input", "f32[2," + String(repeating: "9", count: 1_000_000) + "] input"),
      edited("%2 = add", "%99999999999999 = add"),
      edited("%2 = add", "%" + String(repeating: "1", count: 100_000) + " = add"),
      edited("\"x\"", "\"" + String(repeating: "\\u{", count: 100_000)),
    ]
    for text in parseErrors {
      #expect(throws: IRParseError.self) { try IRParser.parse(text) }
    }
    let validationErrors = [
      edited("f32[2,3] input", "f32[" + Array(repeating: "1", count: 100_000).joined(separator: ",") + "] input"),
      edited("add %0, %1", "add " + Array(repeating: "%0", count: 100_000).joined(separator: ", ")),
      edited("f32[3] param", "f32[3] const(1" + String(repeating: "0", count: 1_000_000) + ".0)"),
      edited("f32[2,3] input", "f32[1000000000000] input"),
    ]
    for text in validationErrors {
      let parsed = try IRParser.parse(text)
      #expect(throws: IRValidationError.self) { try validate(parsed.program, lines: parsed.lines) }
    }
  }

  @Test func validTemplateParses() throws {
    let program = try Program(parsing: Self.valid)
    #expect(program.instructions.count == 1)
    #expect(program.text() == Self.valid.replacingOccurrences(of: "\n\n", with: "\n"))
  }

  /// Hand-written text may differ from the printer's: comments, blank
  /// lines, a signature on one line, spaces inside brackets.
  @Test func lenientSpacingParsesToTheCanonicalProgram() throws {
    let text = """
      # a comment before the header

      micrograd-ir 1
      func @main(%0: f32[2,3] input "x", %1: f32[3] param "b") -> (%2 "y") {
        # a comment
        ## forward
        %2 = add %0,%1 :f32[2,3]   @ main.swift:3   #   a note
        %3 = fused{ $2 = mul($0,$1) ;$3 = relu( $2 ) -> sum[axes=0,1]( $3 ) } %0, %1 : f32[]

        return %2
      }
      # trailing comment
      """
    let program = try Program(parsing: text)
    #expect(program.instructions[0].notes == ["a note"])
    #expect(try Program(parsing: program.text()) == program)
    #expect(program.text().contains("%3 = fused{$2 = mul($0, $1); $3 = relu($2) -> sum[axes=0,1]($3)} %0, %1 : f32[]"))
  }
}
