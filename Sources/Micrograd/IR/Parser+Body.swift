/// The parser's statements: instructions, sections, `dropped`, `return`,
/// and the `memory` line after the body; then the program assembled.
extension ProgramReader {
  /// Statements up to and including the closing `}`.
  mutating func body() throws(IRParseError) {
    var returned = false
    while true {
      skipBlankAndCommentLines()
      let mark = scanner.mark
      if scanner.atEnd { throw scanner.expected("'}' to close the body") }
      if scanner.take(UInt8(ascii: "}")) {
        guard returned else { throw scanner.error(.expected("'return' before '}'", found: "'}'"), at: mark) }
        try scanner.expectLineEnd()
        return
      }
      if returned { throw scanner.expected("'}' after 'return'") }
      if scanner.take("##") {
        scanner.skipBlanks()
        let sectionMark = scanner.mark
        guard let name = scanner.identifier(), let section = Instruction.Section(rawValue: name) else {
          throw scanner.error(
            .expected("a section (forward, backward or update)", found: scanner.found(at: sectionMark)), at: sectionMark
          )
        }
        self.section = section
        try scanner.expectLineEnd()
        continue
      }
      if scanner.current == UInt8(ascii: "%") {
        try instruction()
        continue
      }
      let saved = scanner
      switch scanner.identifier() {
      case "return":
        try returnStatement()
        returned = true
      case "dropped":
        scanner.skipBlanks()
        try declaration(inSignature: false)
        scanner.skipBlanks()
        while scanner.take(UInt8(ascii: ",")) {
          scanner.skipBlanks()
          try declaration(inSignature: false)
          scanner.skipBlanks()
        }
        try scanner.expectLineEnd("',' or end of line")
      case .some:
        scanner = saved
        try instruction()
      case nil:
        throw scanner.expected("an instruction, '##', 'dropped', 'return' or '}'")
      }
    }
  }

  /// `return %3, %4`: the signature's results again.
  mutating func returnStatement() throws(IRParseError) {
    scanner.skipBlanks()
    let mark = scanner.mark
    let returned = scanner.current == UInt8(ascii: "%") ? try valueList() : []
    guard returned == outputs else {
      let list = { (ids: [ValueID]) in "(" + ids.map { "%\($0)" }.joined(separator: ", ") + ")" }
      throw scanner.error(
        .mismatch("return \(list(returned)) differs from the signature's results \(list(outputs))"), at: mark)
    }
    try scanner.expectLineEnd("',' or end of line")
  }

  /// `%3, %4 = op %1, %2 : f32[2], f32[2]  @ file:line  # note`, or
  /// without results (and types): `assign %1, %2  @ file:line`.
  mutating func instruction() throws(IRParseError) {
    let line = scanner.line
    var results: [(ValueID, TextScanner.Mark)] = []
    if scanner.current == UInt8(ascii: "%") {
      repeat {
        scanner.skipBlanks()
        let mark = scanner.mark
        try scanner.expect("%", "a result like %3")
        results.append((try scanner.count("the number of a value after '%'"), mark))
        scanner.skipBlanks()
      } while scanner.take(UInt8(ascii: ","))
      try scanner.expect("=", "'=' after the results")
      scanner.skipBlanks()
    }
    let operation = try self.operation()
    scanner.skipBlanks()
    let inputs = scanner.current == UInt8(ascii: "%") ? try valueList() : []
    scanner.skipBlanks()
    if !results.isEmpty {
      try scanner.expect(":", "':' and the results' types")
      for (k, (id, mark)) in results.enumerated() {
        scanner.skipBlanks()
        if k > 0 { try scanner.expect(",", "',' and the type of %\(id) (one type per result)") }
        scanner.skipBlanks()
        let shape = try type()
        try buffer(of: id)
        scanner.skipBlanks()
        let name = scanner.current == UInt8(ascii: "\"") ? try scanner.quotedString("a name") : ""
        try declare(id, Value(shape: shape, role: .temporary, name: name), at: mark)
      }
      scanner.skipBlanks()
    }
    var location = SourceLocation.unknown
    if scanner.take(UInt8(ascii: "@")) {
      scanner.skipBlanks()
      let file = try scanner.path()
      try scanner.expect(":", "':' and a line number")
      location = SourceLocation(file: file, line: try scanner.integer("a line number"))
      scanner.skipBlanks()
    }
    var notes: [String] = []
    while scanner.take(UInt8(ascii: "#")) {
      scanner.skipBlanks()
      notes.append(try note())
      scanner.skipBlanks()
    }
    try scanner.expectLineEnd(notes.isEmpty ? "'@', '#' or end of line" : "'#' or end of line")
    instructions.append(
      Instruction(
        operation, inputs: inputs, outputs: results.map(\.0), section: section,
        location: location, notes: notes))
    instructionLines.append(line)
  }

  /// A note: quoted, or bare up to the next `#` or the end of the line.
  mutating func note() throws(IRParseError) -> String {
    if scanner.current == UInt8(ascii: "\"") { return try scanner.quotedString("a note") }
    var text: [UInt8] = []
    while let byte = scanner.current, byte != UInt8(ascii: "#"), byte != UInt8(ascii: "\n") {
      text.append(byte)
      scanner.advance()
    }
    while let last = text.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") || last == UInt8(ascii: "\r") {
      text.removeLast()
    }
    return String(decoding: text, as: UTF8.self)
  }

  /// After the body: an optional `memory buffers=[…] peak=… naive=…`
  /// line, comments, then the end of the text.
  mutating func trailer() throws(IRParseError) {
    skipBlankAndCommentLines()
    if scanner.looksAt("memory") {
      let line = scanner.line
      try scanner.expect("memory")
      scanner.skipBlanks()
      try scanner.expect("buffers=[", "'buffers=[' and the buffers' sizes")
      var sizes: [Int] = []
      while !scanner.take(UInt8(ascii: "]")) {
        if !sizes.isEmpty { try scanner.expect(",", "',' or ']' after a buffer size") }
        sizes.append(try scanner.integer("a buffer size in elements"))
      }
      scanner.skipBlanks()
      try scanner.expect("peak=", "'peak=' and the peak bytes")
      let peak = try scanner.integer("the peak bytes")
      scanner.skipBlanks()
      try scanner.expect("naive=", "'naive=' and the naive bytes")
      let naive = try scanner.integer("the naive bytes")
      try scanner.expectLineEnd()
      memory = (sizes, peak, naive, line)
      skipBlankAndCommentLines()
    }
    guard scanner.atEnd else { throw scanner.expected("end of input after the body (or a 'memory' line)") }
  }

  /// The program from its declarations, once every use is known declared
  /// and value numbers have no gaps.
  func assemble() throws(IRParseError) -> ParsedProgram {
    for (id, mark) in references where declarations[id] == nil {
      throw scanner.error(.undeclared(id), at: mark)
    }
    let count = declarations.count
    let beyond = declarations.filter { $0.key >= count }.min { $0.value.mark.offset < $1.value.mark.offset }
    if let beyond, let missing = (0..<count).first(where: { declarations[$0] == nil }) {
      throw scanner.error(.missingValue(missing, count: count), at: beyond.value.mark)
    }
    var values: [Value] = []
    var valueLines: [Int] = []
    for id in 0..<count {
      guard let declaration = declarations[id] else { continue }  // not reached: numbers have no gaps
      values.append(declaration.value)
      valueLines.append(declaration.mark.line)
    }
    var namedByResults: Set<ValueID> = []
    for (id, name, mark) in outputNames {
      let value = values[id]
      if value.role == .temporary && !namedByResults.contains(id) && value.name.isEmpty {
        values[id].name = name
        namedByResults.insert(id)
      } else if value.name != name {
        throw scanner.error(
          .mismatch("the results name %\(id) \(IRSpelling.quoted(name)), elsewhere \(IRSpelling.quoted(value.name))"),
          at: mark)
      }
    }
    var program = Program(values: values, instructions: instructions, outputs: outputs)
    if let memory {
      program.memoryPlan = MemoryPlan(
        buffer: (0..<count).map { buffers[$0]?.0 }, bufferSizes: memory.sizes, peakBytes: memory.peak,
        naiveBytes: memory.naive)
    } else if let first = buffers.values.min(by: { $0.1.offset < $1.1.offset }) {
      throw scanner.error(.mismatch("a value has a buffer but the program has no 'memory' line"), at: first.1)
    }
    let lines = IRLineTable(
      instructions: instructionLines, values: valueLines, memoryPlan: memory?.line, outputs: outputsLine)
    return ParsedProgram(program: program, lines: lines)
  }
}
