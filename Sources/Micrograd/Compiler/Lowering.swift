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
    var ids: [ObjectIdentifier: ValueID] = [:]
    var named: [ObjectIdentifier: (String, Value.Role)] = [:]
    for (name, t) in graph.inputs { named[ObjectIdentifier(t)] = (name, .input) }
    for (name, t) in graph.parameters { named[ObjectIdentifier(t)] = (name, .parameter) }
    for (name, t) in graph.states { named[ObjectIdentifier(t)] = (name, .state) }

    let roots =
      graph.outputs.map(\.tensor) + graph.updates.flatMap { [$0.target, $0.value] }
      + graph.optimizerSteps.flatMap { [$0.parameter, $0.gradient, $0.learningRate] + $0.state }
    let order = topologicalOrder(roots)
    let forward = reachable(from: graph.forwardRoots, in: order)
    let backward = reachable(from: graph.backwardRoots, in: order)
    // Named leaves first, in the order given, so the signature reads well.
    for (name, t) in graph.inputs + graph.parameters + graph.states where ids[ObjectIdentifier(t)] == nil {
      let role = named[ObjectIdentifier(t)]!.1
      ids[ObjectIdentifier(t)] = program.values.count
      if role != .input { bindings[program.values.count] = t }
      program.values.append(Value(shape: t.shape, role: role, name: name))
    }
    for node in order where ids[ObjectIdentifier(node)] == nil {
      let id = program.values.count
      ids[ObjectIdentifier(node)] = id
      guard !node.inputs.isEmpty else {
        if node.isSymbolic {
          throw CompileError.unknownInput(shape: node.shape, location: node.site.location)
        }
        if node.tracedLiteral {
          program.values.append(Value(shape: node.shape, role: .constant(node.scalars)))
        } else {
          program.values.append(Value(shape: node.shape, role: .captured, name: "captured\(bindings.count)"))
          bindings[id] = node
        }
        continue
      }
      guard let operation = node.operation else {
        throw CompileError.noCompiledForm(op: node.opName, location: node.site.location)
      }
      program.values.append(Value(shape: node.shape, role: .temporary))
      let key = ObjectIdentifier(node)
      let section: Instruction.Section =
        forward.contains(key) ? .forward : (backward.contains(key) ? .backward : .update)
      program.instructions.append(
        Instruction(
          operation, inputs: node.inputs.map { ids[ObjectIdentifier($0)]! }, outputs: [id], section: section,
          location: node.site.location))
    }
    for (target, value) in graph.updates {
      program.instructions.append(
        Instruction(
          .assign, inputs: [ids[ObjectIdentifier(target)]!, ids[ObjectIdentifier(value)]!], outputs: [],
          section: .update, location: value.site.location))
    }
    for step in graph.optimizerSteps {
      let operands = [step.parameter, step.gradient, step.learningRate] + step.state
      program.instructions.append(
        Instruction(
          .optimizerStep(step.rule), inputs: operands.map { ids[ObjectIdentifier($0)]! },
          outputs: [], section: .update, location: step.location))
    }
    program.outputs = graph.outputs.map { ids[ObjectIdentifier($0.tensor)]! }
    for (k, output) in graph.outputs.enumerated() where program.values[program.outputs[k]].name.isEmpty {
      program.values[program.outputs[k]].name = output.name
    }
    return LoweredProgram(program: program, bindings: bindings)
  }

  /// The identities of every node reachable from `roots`.
  static func reachable(from roots: [Tensor]) -> Set<ObjectIdentifier> {
    Set(topologicalOrder(roots).map(ObjectIdentifier.init))
  }

  /// The identities of every node reachable from `roots`, found by one
  /// sweep back over `order` (a topological order holding the roots) rather
  /// than a search of its own; a root outside `order` falls back to one.
  static func reachable(from roots: [Tensor], in order: [Tensor]) -> Set<ObjectIdentifier> {
    let rootSet = Set(roots.map(ObjectIdentifier.init))
    var found = rootSet
    var rootsSeen = 0
    for node in order.reversed() where found.contains(ObjectIdentifier(node)) {
      if rootSet.contains(ObjectIdentifier(node)) { rootsSeen += 1 }
      for input in node.inputs { found.insert(ObjectIdentifier(input)) }
    }
    return rootsSeen == rootSet.count ? found : reachable(from: roots)
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
