/// Checks that a program makes sense before it is run: every value sized
/// within limits, every instruction reading values already made (SSA order,
/// hence no cycles) and shaped as its operation's rule says, fused kernels'
/// registers in range, outputs made, and buffers of the memory plan never
/// shared by two values alive at once.
///
/// With the ``IRLineTable`` of a parsed program, errors name the line.
///
/// ```swift
/// let parsed = try IRParser.parse(text)
/// try validate(parsed.program, lines: parsed.lines)
/// ```
public func validate(
  _ program: Program, lines: IRLineTable? = nil, limits: IRValidationLimits = IRValidationLimits()
) throws(IRValidationError) {
  let validator = ProgramValidator(program: program, lines: lines, limits: limits)
  try validator.checkValues()
  try validator.checkInstructions()
  try validator.checkOutputs()
  try validator.checkMemoryPlan()
}

/// How large a program the validator accepts (so that running it cannot
/// ask for absurd memory).
public struct IRValidationLimits: Hashable, Sendable {
  /// The most elements one value may have (and the largest dimension).
  public var elementsPerValue: Int
  /// The most elements all values together may have.
  public var totalElements: Int
  /// The most dimensions a value may have.
  public var rank: Int

  /// Limits: 2³¹ elements a value (8 GiB of float32), 2³³ in all, rank 32.
  public init(elementsPerValue: Int = 1 << 31, totalElements: Int = 1 << 33, rank: Int = 32) {
    self.elementsPerValue = elementsPerValue
    self.totalElements = totalElements
    self.rank = rank
  }
}

/// Why a program is not valid, and where: an instruction, a value, the
/// memory plan, with the line when the program was parsed from text.
///
/// ```
/// line 14: instruction 3 (%7 = matmul): inner dimensions 3 and 4 differ: [5, 3] and [4, 2]
/// ```
public struct IRValidationError: Error, CustomStringConvertible, Hashable, Sendable {
  /// The part of the program at fault.
  public enum Place: Hashable, Sendable {
    case instruction(Int, label: String)
    case value(ValueID)
    case outputs
    case memoryPlan
  }

  /// Where.
  public var place: Place
  /// The line in the text, for a parsed program.
  public var line: Int?
  /// What is wrong.
  public var message: String

  /// Creates an error.
  public init(place: Place, line: Int?, message: String) {
    self.place = place
    self.line = line
    self.message = message
  }

  public var description: String {
    let prefix = line.map { "line \($0): " } ?? ""
    switch place {
    case .instruction(let index, let label): return prefix + "instruction \(index) (\(label)): " + message
    case .value(let id): return prefix + "%\(id): " + message
    case .outputs: return prefix + "outputs: " + message
    case .memoryPlan: return prefix + "memory plan: " + message
    }
  }
}

/// The checks, one pass each.
struct ProgramValidator {
  let program: Program
  let lines: IRLineTable?
  let limits: IRValidationLimits

  func valueError(_ id: ValueID, _ message: String) -> IRValidationError {
    let line = lines.flatMap { $0.values.indices.contains(id) ? $0.values[id] : nil }
    return IRValidationError(place: .value(id), line: line, message: message)
  }

  func instructionError(_ index: Int, _ message: String) -> IRValidationError {
    let line = lines.flatMap { $0.instructions.indices.contains(index) ? $0.instructions[index] : nil }
    let instruction = program.instructions[index]
    let results =
      instruction.outputs.isEmpty ? "" : instruction.outputs.map { "%\($0)" }.joined(separator: ", ") + " = "
    let operation: String
    switch instruction.operation {
    case .fused, .fusedReduce, .matmulEpilogue: operation = instruction.operation.name
    default: operation = Program.spelling(instruction.operation)
    }
    return IRValidationError(place: .instruction(index, label: results + operation), line: line, message: message)
  }

  /// Shapes within the limits (checked without overflow, so that later
  /// checks may multiply dimensions freely), constants holding one float
  /// per element.
  func checkValues() throws(IRValidationError) {
    var total = 0
    for (id, value) in program.values.enumerated() {
      let dims = value.shape.dims
      guard dims.count <= limits.rank else {
        throw valueError(id, "\(dims.count) dimensions; at most \(limits.rank) are allowed")
      }
      if let negative = dims.first(where: { $0 < 0 }) {
        throw valueError(id, "dimension \(negative) of \(irType(value.shape)) is negative")
      }
      // Bounding the product of the non-zero dimensions bounds every
      // partial product, so Shape.count never overflows.
      var bound = 1
      for dim in dims {
        let (product, overflow) = bound.multipliedReportingOverflow(by: max(dim, 1))
        guard !overflow, product <= limits.elementsPerValue else {
          throw valueError(id, "\(irType(value.shape)) has more than \(limits.elementsPerValue) elements")
        }
        bound = product
      }
      total += value.shape.count
      guard total <= limits.totalElements else {
        throw valueError(id, "the values up to this one have more than \(limits.totalElements) elements in all")
      }
      if case .constant(let data) = value.role, data.count != value.shape.count {
        throw valueError(id, "a constant of type \(irType(value.shape)) holds \(data.count) elements")
      }
    }
  }

  /// Values in range, read only once made (values an instruction makes are
  /// made there; the others exist from the start), made once, by an
  /// instruction only if temporary; roles and shapes as the operation asks.
  func checkInstructions() throws(IRValidationError) {
    let values = program.values
    var producer = [Int?](repeating: nil, count: values.count)
    for (index, instruction) in program.instructions.enumerated() {
      for id in instruction.outputs where values.indices.contains(id) && producer[id] == nil { producer[id] = index }
    }
    var made = values.map { $0.role != .temporary }
    for (index, instruction) in program.instructions.enumerated() {
      for id in instruction.inputs + instruction.outputs where !values.indices.contains(id) {
        throw instructionError(index, "%\(id) does not exist (the program has \(values.count) values)")
      }
      for id in instruction.inputs where !made[id] {
        guard let later = producer[id] else {
          throw instructionError(index, "reads %\(id), which no instruction makes")
        }
        let line = lines.flatMap { $0.instructions.indices.contains(later) ? " (line \($0.instructions[later]))" : nil }
        throw instructionError(index, "reads %\(id) before instruction \(later)\(line ?? "") makes it")
      }
      for id in instruction.outputs {
        guard values[id].role == .temporary else {
          throw instructionError(index, "writes %\(id), which is \(Self.roleName(values[id].role)), not a temporary")
        }
        guard !made[id] else {
          throw instructionError(index, "makes %\(id), already made by instruction \(producer[id] ?? index)")
        }
        made[id] = true
      }
      try checkRoles(of: instruction, index)
      let problem = instruction.operation.shapeProblem(
        inputs: instruction.inputs.map { values[$0].shape }, outputs: instruction.outputs.map { values[$0].shape })
      if let problem { throw instructionError(index, problem) }
    }
  }

  /// In-place updates write parameters and optimizer state only.
  private func checkRoles(of instruction: Instruction, _ index: Int) throws(IRValidationError) {
    let values = program.values
    switch instruction.operation {
    case .assign:
      guard let target = instruction.inputs.first else { return }
      let role = values[target].role
      guard role == .parameter || role == .state else {
        throw instructionError(
          index, "assigns to %\(target), which is \(Self.roleName(role)), not a parameter or state")
      }
    case .optimizerStep:
      guard instruction.inputs.count >= 3 else { return }
      let parameter = instruction.inputs[0]
      guard values[parameter].role == .parameter else {
        throw instructionError(index, "updates %\(parameter), which is \(Self.roleName(values[parameter].role))")
      }
      for state in instruction.inputs.dropFirst(3) where values[state].role != .state {
        throw instructionError(index, "%\(state) is \(Self.roleName(values[state].role)), not optimizer state")
      }
    case .sgdProduct:
      guard instruction.inputs.count == 5 else { return }
      let (parameter, step) = (instruction.inputs[0], instruction.inputs[4])
      guard values[parameter].role == .parameter else {
        throw instructionError(index, "updates %\(parameter), which is \(Self.roleName(values[parameter].role))")
      }
      guard values[step].role == .state else {
        throw instructionError(index, "%\(step) is \(Self.roleName(values[step].role)), not optimizer state")
      }
    default: break
    }
  }

  /// Every output exists and is made.
  func checkOutputs() throws(IRValidationError) {
    let made = Set(program.instructions.flatMap(\.outputs))
    for id in program.outputs {
      guard program.values.indices.contains(id) else {
        throw IRValidationError(place: .outputs, line: lines?.outputs, message: "%\(id) does not exist")
      }
      if program.values[id].role == .temporary && !made.contains(id) {
        throw IRValidationError(
          place: .outputs, line: lines?.outputs, message: "%\(id) is returned but no instruction makes it")
      }
    }
  }

  static func roleName(_ role: Value.Role) -> String {
    switch role {
    case .input: "an input"
    case .parameter: "a parameter"
    case .state: "optimizer state"
    case .constant: "a constant"
    case .captured: "a captured tensor"
    case .temporary: "a temporary"
    }
  }
}
