/// What tracing a function produced: the typed nodes and their roles.
struct TracedGraph {
  /// Symbolic inputs, given at each run.
  var inputs: [(name: String, tensor: Tensor)] = []
  /// Model parameters: concrete tensors read (and updated) in place.
  var parameters: [(name: String, tensor: Tensor)] = []
  /// Optimizer state: concrete tensors updated in place.
  var states: [(name: String, tensor: Tensor)] = []
  /// The values returned to the caller.
  var outputs: [(name: String, tensor: Tensor)] = []
  /// In-place updates made at the end of a run: `target` gets `value`.
  var updates: [(target: Tensor, value: Tensor)] = []
  /// Optimizer steps made at the end of a run, in place on each parameter
  /// and its state.
  var optimizerSteps: [OptimizerStep] = []

  /// One parameter's update by a built-in optimizer.
  struct OptimizerStep {
    var rule: OptimizerRule
    var parameter: Tensor
    var gradient: Tensor
    /// The learning rate, a scalar input.
    var learningRate: Tensor
    /// The step count, then the rule's buffers.
    var state: [Tensor]
    /// Where the training step was compiled.
    var location: SourceLocation
  }
  /// Roots of the forward section (the loss, forward outputs).
  var forwardRoots: [Tensor] = []
  /// Roots of the backward section (the gradients).
  var backwardRoots: [Tensor] = []
}

/// A program with the concrete tensors its parameter, state and captured
/// values stand for (the interpreter reads and writes their storage).
struct LoweredProgram {
  var program: Program
  var bindings: [ValueID: Tensor]
}

/// Turns a traced graph of typed nodes into a flat ``Program``: one value per
/// node, one instruction per op node, in topological order, each tagged with
/// its section and the user's source location.
enum Lowering {
  static func lower(_ graph: TracedGraph) throws(CompileError) -> LoweredProgram {
    var program = Program()
    var bindings: [ValueID: Tensor] = [:]
    let roots =
      graph.outputs.map(\.tensor) + graph.updates.flatMap { [$0.target, $0.value] }
      + graph.optimizerSteps.flatMap { [$0.parameter, $0.gradient, $0.learningRate] + $0.state }
    let graphNodes = NodeNumbering(roots)
    let forward = graphNodes.reachable(from: graph.forwardRoots)
    let backward = graphNodes.reachable(from: graph.backwardRoots)
    // The value of each node, by its number (-1 until it has one), and of named leaves outside the graph.
    var valueOf = Array(repeating: -1, count: graphNodes.nodes.count)
    program.values.reserveCapacity(
      graphNodes.nodes.count + graph.inputs.count + graph.parameters.count + graph.states.count)
    program.instructions.reserveCapacity(graphNodes.nodes.count + graph.updates.count + graph.optimizerSteps.count)
    var namedValues: [ObjectIdentifier: ValueID] = [:]
    // Values of equal shapes share one array of dimensions (most nodes make a new one), so that
    // passes reading shapes touch a few places in memory rather than one per value.
    var sharedShapes: [Shape: Shape] = [:]
    func shared(_ shape: Shape) -> Shape {
      if let known = sharedShapes[shape] { return known }
      sharedShapes[shape] = shape
      return shape
    }
    func id(_ t: Tensor) -> ValueID {
      graphNodes.number[ObjectIdentifier(t)].map { valueOf[$0] } ?? namedValues[ObjectIdentifier(t)]!
    }
    // Named leaves first, in the order given, so the signature reads well.
    let named =
      graph.inputs.map { ($0.name, $0.tensor, Value.Role.input) }
      + graph.parameters.map { ($0.name, $0.tensor, Value.Role.parameter) }
      + graph.states.map { ($0.name, $0.tensor, Value.Role.state) }
    // A tensor named twice takes its last role and its first name (as when roles were looked up by identity).
    var roles: [ObjectIdentifier: Value.Role] = [:]
    for (_, t, role) in named { roles[ObjectIdentifier(t)] = role }
    for (name, t, _) in named where namedValues[ObjectIdentifier(t)] == nil {
      let role = roles[ObjectIdentifier(t)]!
      let id = program.values.count
      namedValues[ObjectIdentifier(t)] = id
      if let n = graphNodes.number[ObjectIdentifier(t)] { valueOf[n] = id }
      if role != .input { bindings[id] = t }
      program.values.append(Value(shape: t.shape, role: role, name: name))
    }
    for n in graphNodes.order where valueOf[n] == -1 {
      let node = graphNodes.nodes[n]
      let id = program.values.count
      valueOf[n] = id
      guard !node.inputs.isEmpty else {
        if node.isSymbolic {
          throw CompileError.unknownInput(shape: node.shape, location: node.site.location)
        }
        if node.tracedLiteral {
          program.values.append(Value(shape: shared(node.shape), role: .constant(node.scalars)))
        } else {
          program.values.append(Value(shape: shared(node.shape), role: .captured, name: "captured\(bindings.count)"))
          bindings[id] = node
        }
        continue
      }
      guard let operation = node.operation else {
        throw CompileError.noCompiledForm(op: node.opName, location: node.site.location)
      }
      program.values.append(Value(shape: shared(node.shape), role: .temporary))
      let section: Instruction.Section = forward[n] ? .forward : (backward[n] ? .backward : .update)
      program.instructions.append(
        Instruction(
          operation, inputs: graphNodes.inputs(of: n).map { valueOf[$0] }, outputs: [id], section: section,
          location: node.site.location))
    }
    for (target, value) in graph.updates {
      program.instructions.append(
        Instruction(
          .assign, inputs: [id(target), id(value)], outputs: [], section: .update, location: value.site.location))
    }
    for step in graph.optimizerSteps {
      let operands = [step.parameter, step.gradient, step.learningRate] + step.state
      program.instructions.append(
        Instruction(
          .optimizerStep(step.rule), inputs: operands.map(id), outputs: [], section: .update, location: step.location))
    }
    program.outputs = graph.outputs.map { id($0.tensor) }
    for (k, output) in graph.outputs.enumerated() where program.values[program.outputs[k]].name.isEmpty {
      program.values[program.outputs[k]].name = output.name
    }
    return LoweredProgram(program: program, bindings: bindings)
  }
}

/// Why a function could not be compiled.
public enum CompileError: Error, CustomStringConvertible, Equatable {
  /// A symbolic tensor from outside this trace (another compiled function's input).
  case unknownInput(shape: Shape, location: SourceLocation)
  /// An op with no instruction form (a custom op without a kernel).
  case noCompiledForm(op: String, location: SourceLocation)
  /// A traced function's inputs did not match its signature.
  case badArguments(String)
  /// A run checking numerics met NaN or infinity (see ``NumericsCheck``).
  case nonFinite(NonFiniteValue)

  public var description: String {
    switch self {
    case .unknownInput(let shape, let location):
      "\(location): error: a symbolic tensor of shape \(shape) from another trace was used in this one"
    case .noCompiledForm(let op, let location):
      "\(location): error: \(op) has no compiled form; give the op an operation to compile it"
    case .badArguments(let message):
      "error: \(message)"
    case .nonFinite(let value):
      value.description
    }
  }
}
