/// Where a compiled run checked for NaN and infinity (``NumericsCheck``)
/// first met one.
public struct NonFiniteValue: Error, Sendable, Equatable, CustomStringConvertible {
  /// `nan`, `inf` or `-inf`.
  public var value: String
  /// The value holding it: `%7`, or `input "x0"` and the like for a value
  /// given to the program.
  public var valueName: String
  /// The position of the first bad element, as `[2, 3]`.
  public var index: String
  /// The instruction that made it, as the printer writes it; nil for a
  /// value given to the program (an input, a parameter).
  public var instruction: String?
  /// The instruction's line in the program's IR text: the file it was read
  /// from (``ProgramRunner``), or else as ``Program/text(name:)`` prints it.
  public var irLine: Int?
  /// Where in the user's source the instruction's op was written.
  public var location: SourceLocation

  public var description: String {
    let place = location == .unknown ? "" : "\(location): "
    guard let instruction, let irLine else {
      return place + "error: checkNumerics: \(valueName) holds \(value) at \(index) before the program runs"
    }
    return place + "error: checkNumerics: \(valueName) holds \(value) at \(index), made by IR line \(irLine): "
      + instruction
  }
}

extension Interpreter {
  /// The values `instruction` writes: its outputs or, for an instruction
  /// working in place, the buffers it updates (an optimizer step's
  /// parameter and state, an assignment's target).
  static func writtenValues(_ instruction: Instruction) -> [ValueID] {
    instruction.outputs.isEmpty ? instruction.inPlaceTargets : instruction.outputs
  }

  /// Runs every instruction once, checking what it wrote for NaN and
  /// infinity; the values the caller gave (inputs, parameters, state,
  /// captured tensors, constants) are checked first.
  ///
  /// A separate loop from ``execute()``, so that a run not being checked
  /// pays nothing for it.
  func executeCheckingNumerics() throws(CompileError) {
    let values = program.values
    for (id, value) in values.enumerated() where value.role != .temporary {
      if let bad = firstNonFinite(buffers[id], count: value.shape.count) {
        throw .nonFinite(
          NonFiniteValue(
            value: nonFiniteSpelling(buffers[id][bad]), valueName: Interpreter.givenName(value, id),
            index: indexSpelling(bad, in: value.shape), instruction: nil, irLine: nil, location: .unknown))
      }
    }
    for (k, step) in steps.enumerated() {
      Interpreter.execute(step)
      for id in Interpreter.writtenValues(program.instructions[k]) {
        if let bad = firstNonFinite(buffers[id], count: values[id].shape.count) {
          throw .nonFinite(nonFiniteValue(instruction: k, value: id, at: bad))
        }
      }
    }
  }

  /// The error for element `flat` of value `id`, written by instruction `k`.
  private func nonFiniteValue(instruction k: Int, value id: ValueID, at flat: Int) -> NonFiniteValue {
    let printedLine = program.instructionLineNumbers()[k]
    let text = program.text().split(separator: "\n", omittingEmptySubsequences: false)[printedLine - 1]
    let line = instructionLines.flatMap { $0.indices.contains(k) ? $0[k] : nil } ?? printedLine
    return NonFiniteValue(
      value: nonFiniteSpelling(buffers[id][flat]), valueName: "%\(id)",
      index: indexSpelling(flat, in: program.values[id].shape),
      instruction: text.trimmingPrefix(while: { $0 == " " }).description, irLine: line,
      location: program.instructions[k].location)
  }

  /// `input "x0"`, `parameter "layers.0.weight"`, `constant %3`.
  private static func givenName(_ value: Value, _ id: ValueID) -> String {
    let role =
      switch value.role {
      case .input: "input"
      case .parameter: "parameter"
      case .state: "state"
      case .captured: "captured tensor"
      case .constant: "constant"
      case .temporary: "value"
      }
    return value.name.isEmpty ? "\(role) %\(id)" : "\(role) %\(id) \"\(value.name)\""
  }
}
