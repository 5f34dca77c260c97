import Foundation

/// A whole training step — forward, backward and the optimizer's update —
/// compiled into one program and run by the interpreter.
///
/// Made by ``compile(_:optimizer:file:line:_:)``. The step is traced once per
/// input-shape signature; the learning rate and the optimizer's other
/// per-step scalars (bias corrections) are runtime values, so a schedule never
/// retraces. Parameters and optimizer state are updated in place, in the
/// model's own tensors: eager code sees the trained weights.
public final class TrainingStep: @unchecked Sendable {
  private let model: Module
  private let optimizer: Optimizer
  private let parameters: [(name: String, tensor: Tensor)]
  private let compiled: CompiledFunction
  /// Serialises steps: setting the learning rate and running must not interleave.
  private let lock = NSLock()

  /// Whether every step checks each instruction's results for NaN and
  /// infinity, throwing ``CompileError/nonFinite(_:)`` at the first (see
  /// ``NumericsCheck``).
  public var checkNumerics: Bool {
    get { compiled.checkNumerics }
    set { compiled.checkNumerics = newValue }
  }

  init(model: Module, optimizer: Optimizer, site: CallSite, loss: @escaping ([Tensor]) -> Tensor) throws(CompileError) {
    self.model = model
    self.optimizer = optimizer
    let parameters = model.namedParameters().map { (name: $0.name, tensor: $0.parameter) }
    self.parameters = parameters
    guard let rule = optimizer.compiledRule else {
      throw .badArguments("\(type(of: optimizer)) has a custom step() and no compiled form")
    }
    let positions = Dictionary(
      optimizer.parameters.enumerated().map { (ObjectIdentifier($0.element), $0.offset) },
      uniquingKeysWith: { a, _ in a })
    let rows = try parameters.map { name, tensor throws(CompileError) -> Int in
      guard let row = positions[ObjectIdentifier(tensor)] else {
        throw .badArguments("parameter \(name) of the model is not one of the optimizer's parameters")
      }
      return row
    }
    compiled = CompiledFunction { shapes throws(CompileError) in
      var graph = TracedGraph()
      graph.parameters = parameters
      let states = rows.map { optimizer.state($0) }
      for (k, state) in states.enumerated() {
        let name = parameters[k].name
        graph.states.append((name + ".step", state.step))
        graph.states += zip(optimizer.bufferNames, state.buffers).map { (name + "." + $0.0, $0.1) }
      }
      let dataShapes = shapes.dropLast()
      let (loss, grads, learningRate) = Trace.record {
        let inputs = dataShapes.enumerated().map { Trace.input($0.element, site: site) }
        let learningRate = Trace.input([], site: site)
        graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) } + [("lr", learningRate)]
        let loss = loss(inputs)
        let grads = grad(of: loss, withRespectTo: parameters.map(\.tensor), file: site.file, line: site.line)
        return (loss, grads, learningRate)
      }
      graph.outputs = [("loss", loss)]
      graph.forwardRoots = [loss]
      graph.backwardRoots = grads
      graph.optimizerSteps = zip(states, zip(parameters, grads)).map { state, pair in
        TracedGraph.OptimizerStep(
          rule: rule, parameter: pair.0.tensor, gradient: pair.1, learningRate: learningRate,
          state: [state.step] + state.buffers, location: site.location)
      }
      return try Compiler.compile(graph)
    }
  }

  /// Runs one step on a batch and returns the loss (computed before the update).
  ///
  /// With `lr`, sets the optimizer's learning rate first.
  @discardableResult
  public func callAsFunction(_ inputs: Tensor..., lr: Double? = nil) throws(CompileError) -> Tensor {
    try run(inputs, lr: lr)
  }

  /// Runs one step on `inputs` and returns the loss.
  ///
  /// Steps called from several threads at once run one after the other.
  @discardableResult
  public func run(_ inputs: [Tensor], lr: Double? = nil) throws(CompileError) -> Tensor {
    lock.lock()
    defer { lock.unlock() }
    if let lr { optimizer.learningRate = lr }
    return try compiled.call(inputs + [Tensor(Float(optimizer.learningRate))])[0]
  }

  /// Runs `runs` steps on `inputs`, timing each instruction (see
  /// ``ProgramProfile``). They are real steps: the parameters are updated
  /// every time.
  public func profile(_ inputs: Tensor..., runs: Int = 10) throws(CompileError) -> ProgramProfile {
    lock.lock()
    defer { lock.unlock() }
    return try compiled.profile(inputs: inputs + [Tensor(Float(optimizer.learningRate))], runs: runs)
  }

  /// The program compiled for data inputs of these shapes.
  public func program(for shapes: [Shape]) throws(CompileError) -> Program {
    try compiled.program(for: shapes + [[]])
  }

  /// The step's program after lowering and after each compiler pass, for
  /// data inputs of these shapes (see ``CompiledFunction/passDumps(for:)``).
  public func passDumps(for shapes: [Shape]) throws(CompileError) -> [PassDump] {
    try compiled.passDumps(for: shapes + [[]])
  }

  /// How many times the step has been traced.
  public var traceCount: Int { compiled.traceCount }
}

/// Compiles a training step: `loss` of the model on a batch, its gradients
/// with respect to every parameter, and the optimizer's update, as one
/// program.
///
/// ```swift
/// let step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.1)) { x, y in
///   hingeLoss(model(x), y)
/// }
/// for k in 0..<100 { try step(x, y, lr: 1.0 - 0.9 * Double(k) / 100) }
/// ```
public func compile(
  _ model: Module, optimizer: Optimizer, file: StaticString = #fileID, line: UInt = #line,
  _ loss: @escaping (Tensor, Tensor) -> Tensor
) throws(CompileError) -> TrainingStep {
  try TrainingStep(model: model, optimizer: optimizer, site: CallSite(file, line)) { xs in loss(xs[0], xs[1]) }
}
