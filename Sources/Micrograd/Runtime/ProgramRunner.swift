/// Runs a ``Program`` read from text, with its parameters, optimizer state
/// and captured tensors given by name: the public face of the interpreter,
/// for tools that run a `.mgir` file without the Swift code that traced it.
///
/// ```swift
/// let program = try Program(parsing: text)
/// let runner = try ProgramRunner(program: program, weights: try readSafeTensors("w.safetensors"))
/// let outputs = try runner.run(inputs: ["x0": x, "x1": y, "lr": Tensor(0.1)])
/// try writeSafeTensors(runner.weights, to: "trained.safetensors")
/// ```
///
/// The runner validates the program first (a program that validates runs in
/// the interpreter), copies the weights it binds (the caller's tensors are
/// never changed) and keeps the updated values between runs: a training
/// program run again takes another step from where the last one left off.
public final class ProgramRunner {
  /// The program being run.
  public let program: Program
  /// Parameters, state and captured tensors, by value, in the runner's own storage.
  private let bound: [(id: ValueID, tensor: Tensor)]
  private let interpreter: Interpreter
  /// The names of the program's inputs, in signature order (`x0`, `x1`, `lr`).
  public let inputNames: [String]
  /// The names of the outputs, in order: the value's name, or `output` and its position when it has none.
  public let outputNames: [String]
  /// The optimizer state the weights did not hold; it started at zeros, as a
  /// fresh optimizer's state does.
  public let zeroInitializedState: [String]
  /// Whether runs check every instruction's results (and the inputs and
  /// weights) for NaN and infinity, failing with ``ProgramRunnerError/run(_:)``
  /// at the first (see ``NumericsCheck``).
  public var checkNumerics = false

  /// Validates `program` within `limits` and binds its parameters, state and
  /// captured tensors to copies of the tensors of the same names in `weights`.
  ///
  /// A missing parameter or captured tensor is an error; missing state starts
  /// at zeros (listed in ``zeroInitializedState``). Tensors in `weights` that
  /// the program does not name are ignored.
  ///
  /// `lines` (from ``IRParser/parse(_:)``) lets errors name the lines of the
  /// file the program was read from.
  public init(
    program: Program, weights: [String: Tensor], limits: IRValidationLimits = IRValidationLimits(),
    lines: IRLineTable? = nil
  ) throws(ProgramRunnerError) {
    do { try validate(program, limits: limits) } catch { throw .invalidProgram(error) }
    var seen = Set<String>()
    var bound: [(id: ValueID, tensor: Tensor)] = []
    var bindings: [ValueID: Tensor] = [:]
    var zeroed: [String] = []
    for (id, value) in program.values.enumerated() {
      switch value.role {
      case .parameter, .state, .captured, .input:
        guard seen.insert(value.name).inserted else { throw .duplicateName(value.name) }
      default: break
      }
      switch value.role {
      case .parameter, .state, .captured:
        let tensor: Tensor
        if let given = weights[value.name] {
          guard given.shape == value.shape else {
            throw .shapeMismatch(name: value.name, expected: value.shape, got: given.shape)
          }
          tensor = Tensor(storage: Storage(given.scalars), shape: value.shape)
        } else if value.role == .state {
          tensor = Tensor(storage: Storage(repeating: 0, count: value.shape.count), shape: value.shape)
          zeroed.append(value.name)
        } else {
          throw .missingWeight(name: value.name, role: value.role == .parameter ? "parameter" : "captured tensor")
        }
        bound.append((id, tensor))
        bindings[id] = tensor
      default: break
      }
    }
    self.program = program
    self.bound = bound
    zeroInitializedState = zeroed
    inputNames = program.values(where: { $0 == .input }).map { program.values[$0].name }
    var outputNames: [String] = []
    for (k, id) in program.outputs.enumerated() {
      let name = program.values[id].name
      outputNames.append(name.isEmpty || outputNames.contains(name) ? "output\(k)" : name)
    }
    self.outputNames = outputNames
    interpreter = Interpreter(LoweredProgram(program: program, bindings: bindings))
    if let lines, lines.instructions.count == program.instructions.count {
      interpreter.instructionLines = lines.instructions
    }
  }

  /// Runs the program once on `inputs` (by the names in ``inputNames``) and
  /// returns its outputs by the names in ``outputNames``.
  public func run(inputs: [String: Tensor]) throws(ProgramRunnerError) -> [String: Tensor] {
    let inputIDs = program.values(where: { $0 == .input })
    let missing = inputNames.filter { inputs[$0] == nil }
    let unexpected = inputs.keys.filter { !inputNames.contains($0) }.sorted()
    if !missing.isEmpty || !unexpected.isEmpty { throw .inputNames(missing: missing, unexpected: unexpected) }
    var ordered: [Tensor] = []
    for id in inputIDs {
      let value = program.values[id]
      let tensor = inputs[value.name]!
      guard tensor.shape == value.shape else {
        throw .shapeMismatch(name: value.name, expected: value.shape, got: tensor.shape)
      }
      ordered.append(tensor)
    }
    let results: [Tensor]
    do {
      results = try interpreter.run(ordered, checkNumerics: checkNumerics || NumericsCheck.isActive)
    } catch {
      throw .run(error.description)
    }
    return Dictionary(uniqueKeysWithValues: zip(outputNames, results))
  }

  /// Copies of the current parameters, optimizer state and captured tensors, by name.
  public var weights: [String: Tensor] {
    var result: [String: Tensor] = [:]
    for (id, tensor) in bound { result[program.values[id].name] = Tensor(tensor.scalars, shape: tensor.shape) }
    return result
  }

  /// Whether the program updates weights in place (optimizer steps or assignments): a training step.
  public var isTraining: Bool {
    program.instructions.contains { !$0.inPlaceTargets.isEmpty }
  }
}

/// Why a ``ProgramRunner`` could not bind or run a program.
public enum ProgramRunnerError: Error, CustomStringConvertible, Equatable {
  /// The program does not validate.
  case invalidProgram(IRValidationError)
  /// Two parameters, states, captured tensors or inputs share a name.
  case duplicateName(String)
  /// A parameter or captured tensor the weights do not hold.
  case missingWeight(name: String, role: String)
  /// A weight or input whose shape is not the program's.
  case shapeMismatch(name: String, expected: Shape, got: Shape)
  /// Inputs missing or not in the program.
  case inputNames(missing: [String], unexpected: [String])
  /// The interpreter refused the inputs.
  case run(String)

  public var description: String {
    switch self {
    case .invalidProgram(let error): "invalid program: \(error)"
    case .duplicateName(let name): "the program names two values \"\(name)\""
    case .missingWeight(let name, let role): "the weights have no \(role) \"\(name)\""
    case .shapeMismatch(let name, let expected, let got): "\(name) must have shape \(expected); got \(got)"
    case .inputNames(let missing, let unexpected):
      (missing.isEmpty ? [] : ["missing input " + missing.joined(separator: ", ")])
        .appending(contentsOf: unexpected.isEmpty ? [] : ["unexpected input " + unexpected.joined(separator: ", ")])
        .joined(separator: "; ")
    case .run(let message): message
    }
  }
}

extension Array {
  fileprivate func appending(contentsOf other: [Element]) -> [Element] { self + other }
}
