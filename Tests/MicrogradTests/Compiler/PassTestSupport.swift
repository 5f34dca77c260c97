import Testing

@testable import Micrograd

/// Builds a small ``Program`` by hand for a pass test.
struct ProgramBuilder {
  var program = Program()

  /// Appends a value and returns its ID.
  mutating func value(_ shape: Shape, _ role: Value.Role, _ name: String = "") -> ValueID {
    program.values.append(Value(shape: shape, role: role, name: name))
    return program.values.count - 1
  }

  mutating func input(_ shape: Shape, _ name: String = "x") -> ValueID { value(shape, .input, name) }
  mutating func parameter(_ shape: Shape, _ name: String = "p") -> ValueID { value(shape, .parameter, name) }

  /// A constant of `shape` holding `data` (or `data[0]` everywhere when one value).
  mutating func constant(_ data: [Float], _ shape: Shape = []) -> ValueID {
    value(shape, .constant(data.count == 1 ? Array(repeating: data[0], count: shape.count) : data))
  }

  /// Appends `operation` on `inputs` writing a new temporary of `shape`.
  @discardableResult
  mutating func add(
    _ operation: Operation, _ inputs: [ValueID], _ shape: Shape, section: Instruction.Section = .forward
  ) -> ValueID {
    let id = value(shape, .temporary)
    program.instructions.append(Instruction(operation, inputs: inputs, outputs: [id], section: section))
    return id
  }

  /// Appends `assign target, source`.
  mutating func assign(_ target: ValueID, _ source: ValueID) {
    program.instructions.append(Instruction(.assign, inputs: [target, source], outputs: [], section: .update))
  }

  /// The program returning `outputs`.
  func returning(_ outputs: [ValueID]) -> Program {
    var program = program
    program.outputs = outputs
    return program
  }
}

extension Program {
  /// The printed instruction lines without locations: `%3 = mul %0, %1 : f32[4]`.
  var instructionLines: [String] {
    instructions.map { instruction in
      let arguments = instruction.inputs.map { "%\($0)" }.joined(separator: ", ")
      if instruction.operation == .assign { return "assign \(arguments)" }
      let results = instruction.outputs.map { "%\($0)" }.joined(separator: ", ")
      return "\(results) = \(Program.spelling(instruction.operation)) \(arguments) : "
        + instruction.outputs.map { self.type(of: $0) }.joined(separator: ", ")
    }
  }

  /// How many instructions run `name` (`mul`, `expand`).
  func count(_ name: String) -> Int { instructions.filter { $0.operation.name == name }.count }

  /// The constant data of value `id`, or nil.
  func constantData(_ id: ValueID) -> [Float]? {
    if case .constant(let data) = values[id].role { return data }
    return nil
  }

  /// The program after `passes`, each run once, in order.
  func after(_ passes: [any Pass]) -> Program {
    var program = self
    for pass in passes { pass.run(&program) }
    return program
  }
}

/// Expects every read to see a value defined before it (a non-temporary or an
/// earlier instruction's output), every temporary to be written once,
/// outputs and assign targets to be defined, and every instruction's output
/// shape to follow its operation's shape rule.
func expectWellFormed(_ program: Program, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  var defined = Set(program.values.indices.filter { program.values[$0].role != .temporary })
  for (index, instruction) in program.instructions.enumerated() {
    let inputs = instruction.inputs.map { program.values[$0].shape }
    let output = instruction.outputs.first.map { program.values[$0].shape }
    if let output, output != expectedShape(instruction.operation, inputs, output) {
      Issue.record(
        "instruction \(index) (\(instruction.operation.name)) of \(inputs) writes \(output)",
        sourceLocation: sourceLocation)
    }
    for id in instruction.inputs where !defined.contains(id) {
      Issue.record("instruction \(index) reads %\(id) before it is written", sourceLocation: sourceLocation)
    }
    for id in instruction.outputs {
      if defined.contains(id) { Issue.record("%\(id) written twice", sourceLocation: sourceLocation) }
      defined.insert(id)
    }
  }
  for id in program.outputs where !defined.contains(id) {
    Issue.record("output %\(id) is never written", sourceLocation: sourceLocation)
  }
}

/// The shape `operation` gives for `inputs` by its shape rule; for reshape and
/// expand, whose target is the output itself, `output` if it is a valid one.
func expectedShape(_ operation: Operation, _ inputs: [Shape], _ output: Shape) -> Shape? {
  switch operation {
  case .unary: return inputs[0]
  case .binary, .select:
    return inputs.dropFirst().reduce(Optional(inputs[0])) { shape, next in shape.flatMap { Shape.broadcast($0, next) } }
  case .reduce(_, let axes):
    let kept = reducedShape(inputs[0], axes, keepdims: true)
    return [kept, reducedShape(inputs[0], axes, keepdims: false)].contains(output) ? output : kept
  case .reshape: return inputs[0].count == output.count ? output : nil
  case .expand: return Shape.broadcast(inputs[0], output) == output ? output : nil
  case .permute(let axes): return Shape(axes.map { inputs[0][$0] })
  case .matmul(let transposeA, let transposeB):
    let (a, b) = (inputs[0], inputs[1])
    guard a.rank >= 2, b.rank >= 2 else { return nil }
    let (m, ka) = transposeA ? (a[a.rank - 1], a[a.rank - 2]) : (a[a.rank - 2], a[a.rank - 1])
    let (kb, n) = transposeB ? (b[b.rank - 1], b[b.rank - 2]) : (b[b.rank - 2], b[b.rank - 1])
    guard ka == kb, let batch = Shape.broadcast(Shape(Array(a.dims.dropLast(2))), Shape(Array(b.dims.dropLast(2))))
    else { return nil }
    return Shape(batch.dims + [m, n])
  default: return output
  }
}

/// Lowers a value-and-grad trace of `f` like ``compileValueAndGrad(withRespectTo:names:file:line:_:)``
/// does, without running any pass.
func lowerValueAndGrad(
  _ parameters: [Tensor], shapes: [Shape], _ f: ([Tensor]) -> Tensor
) throws -> LoweredProgram {
  var graph = TracedGraph()
  graph.parameters = parameters.enumerated().map { ("p\($0.offset)", $0.element) }
  let site = CallSite(#fileID, #line)
  let (loss, grads) = Trace.record {
    let inputs = shapes.map { Trace.input($0, site: site) }
    graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
    let loss = f(inputs)
    return (loss, grad(of: loss, withRespectTo: parameters, createGraph: true))
  }
  graph.outputs = [("loss", loss)] + grads.enumerated().map { ("grad.p\($0.offset)", $0.element) }
  graph.forwardRoots = [loss]
  graph.backwardRoots = grads
  return try Lowering.lower(graph)
}

/// Lowers a training step of `f` by hand: the value and gradients returned,
/// and each parameter updated in place by SGD, `p ← p - rate · grad`.
func lowerTrainingStep(
  _ parameters: [Tensor], shapes: [Shape], rate: Float, _ f: ([Tensor]) -> Tensor
) throws -> LoweredProgram {
  var graph = TracedGraph()
  graph.parameters = parameters.enumerated().map { ("p\($0.offset)", $0.element) }
  let site = CallSite(#fileID, #line)
  let (loss, grads, updated) = Trace.record {
    let inputs = shapes.map { Trace.input($0, site: site) }
    graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
    let loss = f(inputs)
    let grads = grad(of: loss, withRespectTo: parameters, createGraph: true)
    let updated = zip(parameters, grads).map { Sub($0, Mul(Tensor(rate), $1, site: site), site: site) }
    return (loss, grads, updated)
  }
  graph.outputs = [("loss", loss)] + grads.enumerated().map { ("grad.p\($0.offset)", $0.element) }
  graph.updates = zip(parameters, updated).map { ($0, $1) }
  graph.forwardRoots = [loss]
  graph.backwardRoots = grads
  return try Lowering.lower(graph)
}

/// Lowers a forward trace of `f` like ``compile(file:line:_:)`` does, without
/// running any pass.
func lowerForward(shapes: [Shape], _ f: ([Tensor]) -> [Tensor]) throws -> LoweredProgram {
  var graph = TracedGraph()
  let site = CallSite(#fileID, #line)
  let outputs = Trace.record {
    let inputs = shapes.map { Trace.input($0, site: site) }
    graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
    return f(inputs)
  }
  graph.outputs = outputs.enumerated().map { ("y\($0.offset)", $0.element) }
  graph.forwardRoots = outputs
  return try Lowering.lower(graph)
}

/// Runs `program` (with the bindings of `lowered`) on `inputs`.
func run(_ program: Program, bound lowered: LoweredProgram, _ inputs: [Tensor]) throws -> [Tensor] {
  try Interpreter(LoweredProgram(program: program, bindings: lowered.bindings)).run(inputs)
}

/// Runs a hand-built `program` whose parameters are bound to `bindings`.
func run(_ program: Program, bindings: [ValueID: Tensor] = [:], _ inputs: [Tensor]) throws -> [Tensor] {
  try Interpreter(LoweredProgram(program: program, bindings: bindings)).run(inputs)
}

/// Expects `actual` to equal `expected` bit for bit up to the sign of zero
/// (`-0 == 0`), with NaN matching NaN.
///
/// The passes keep every value exact: folding runs the same kernel on the
/// same data, CSE and scheduling change no arithmetic, the identities give
/// back the operand itself, and `add`/`mul` are commutative in IEEE
/// arithmetic. The one exception is `x + 0 → x`, which can turn a `+0` into
/// a `-0`; `==` counts them equal.
func expectSameValues(
  _ actual: [Tensor], _ expected: [Tensor], _ what: String = "",
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "\(what): result count", sourceLocation: sourceLocation)
  for (k, (a, e)) in zip(actual, expected).enumerated() {
    #expect(a.shape == e.shape, "\(what) result \(k): shape", sourceLocation: sourceLocation)
    guard a.shape == e.shape else { continue }
    let (x, y) = (a.scalars, e.scalars)
    if let i = x.indices.first(where: { !(x[$0] == y[$0] || (x[$0].isNaN && y[$0].isNaN)) }) {
      Issue.record("\(what) result \(k)[\(i)]: \(x[i]) vs \(y[i])", sourceLocation: sourceLocation)
    }
  }
}

/// A two-layer MLP with a mean-squared-error loss: the running example of the
/// pass tests, small enough to read its program.
struct SmallMLP {
  let parameters: [Tensor]
  let x: Tensor
  let y: Tensor

  init(seed: UInt64, batch: Int = 5) {
    var random = TestRandom(seed: seed)
    parameters = [random.tensor([4, 8]), random.tensor([8]), random.tensor([8, 1]), random.tensor([1])]
    x = random.tensor([batch, 4], requiresGrad: false)
    y = random.tensor([batch, 1], requiresGrad: false)
  }

  /// The loss of the inputs `xs` (`[x, y]`).
  func loss(_ xs: [Tensor]) -> Tensor {
    let hidden = relu(matmul(xs[0], parameters[0]) + parameters[1])
    let error = matmul(hidden, parameters[2]) + parameters[3] - xs[1]
    return (error * error).sum() / Float(xs[0].shape[0])
  }

  /// The loss and its gradients computed eagerly.
  func eager() -> [Tensor] {
    let value = loss([x, y])
    return [value] + grad(of: value, withRespectTo: parameters)
  }

  /// The unoptimised lowered value-and-grad program.
  func lowered() throws -> LoweredProgram {
    try lowerValueAndGrad(parameters, shapes: [x.shape, y.shape], loss)
  }
}
