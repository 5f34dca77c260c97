import Foundation

/// A function of tensors that is traced once per input-shape signature and
/// then run by the interpreter, like `jax.jit`.
///
/// The first call with new input shapes traces the function on symbolic
/// inputs, compiles the graph and caches the program; later calls with the
/// same shapes only run it.
public final class CompiledFunction: @unchecked Sendable {
  private let build: ([Shape]) throws(CompileError) -> LoweredProgram
  private var cache: [[Shape]: Interpreter] = [:]
  private let lock = NSLock()
  /// How many times the function has been traced (once per new signature).
  public var traceCount: Int { lock.withLock { traces } }
  private var traces = 0
  /// Whether every run checks each instruction's results for NaN and
  /// infinity and throws ``CompileError/nonFinite(_:)`` at the first (see
  /// ``NumericsCheck``; also on while ``NumericsCheck/isEnabled`` or inside
  /// ``withCheckNumerics(_:)``).
  public var checkNumerics: Bool {
    get { lock.withLock { checksNumerics } }
    set { lock.withLock { checksNumerics = newValue } }
  }
  private var checksNumerics = false

  init(build: @escaping ([Shape]) throws(CompileError) -> LoweredProgram) {
    self.build = build
  }

  /// Runs the compiled function on `inputs`; traces first for new shapes.
  public func callAsFunction(_ inputs: Tensor...) throws(CompileError) -> [Tensor] {
    try call(inputs)
  }

  /// Runs the compiled function on `inputs`; traces first for new shapes.
  ///
  /// Calls from several threads at once are safe: runs of one program take
  /// turns (its buffers serve one run at a time).
  public func call(_ inputs: [Tensor]) throws(CompileError) -> [Tensor] {
    let checking = checkNumerics || NumericsCheck.isActive
    return try interpreter(for: inputs.map(\.shape)).run(inputs, checkNumerics: checking)
  }

  /// Runs the compiled function `runs` times on `inputs`, timing each
  /// instruction: where the time goes (see ``ProgramProfile``).
  public func profile(_ inputs: Tensor..., runs: Int = 10) throws(CompileError) -> ProgramProfile {
    try profile(inputs: inputs, runs: runs)
  }

  /// ``profile(_:runs:)`` with the inputs in an array.
  public func profile(inputs: [Tensor], runs: Int = 10) throws(CompileError) -> ProgramProfile {
    try interpreter(for: inputs.map(\.shape)).profile(inputs, runs: runs)
  }

  /// The program compiled for inputs of these shapes (tracing if needed).
  public func program(for shapes: [Shape]) throws(CompileError) -> Program {
    try interpreter(for: shapes).program
  }

  /// The program after lowering and after each compiler pass, for inputs
  /// of these shapes: what each pass did, as IR text (``PassDump/text``).
  ///
  /// Traces and compiles afresh (the cached program and ``traceCount`` are
  /// left alone). Setting `MICROGRAD_DUMP_DIR` writes the same texts as
  /// files for every compilation instead.
  public func passDumps(for shapes: [Shape]) throws(CompileError) -> [PassDump] {
    let collector = PassDumps.Collector()
    let result = PassDumps.$collector.withValue(collector) {
      Result { () throws(CompileError) in try build(shapes) }
    }
    _ = try result.get()
    return collector.dumps
  }

  private func interpreter(for shapes: [Shape]) throws(CompileError) -> Interpreter {
    lock.lock()
    defer { lock.unlock() }
    if let cached = cache[shapes] { return cached }
    let interpreter = Interpreter(try build(shapes))
    traces += 1
    cache[shapes] = interpreter
    return interpreter
  }
}

/// Compiles `f` for forward use (inference): traced on symbolic inputs,
/// tensors it captures (weights) are read live at every run.
public func compile(
  file: StaticString = #fileID, line: UInt = #line, _ f: @escaping ([Tensor]) -> [Tensor]
) -> CompiledFunction {
  let site = CallSite(file, line)
  return CompiledFunction { shapes throws(CompileError) in
    var graph = TracedGraph()
    let outputs = Trace.record {
      let inputs = shapes.enumerated().map { Trace.input($0.element, site: site) }
      graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
      return f(inputs)
    }
    graph.outputs = outputs.enumerated().map { ("y\($0.offset)", $0.element) }
    graph.forwardRoots = outputs
    return try Compiler.compile(graph)
  }
}

/// Compiles `f` to return its value followed by its gradients with respect to
/// `parameters`, like `jax.value_and_grad` (nothing is updated).
///
/// The backward program is derived from the ops' own backward rules, applied
/// to the traced graph. `names` label the parameters in the IR.
public func compileValueAndGrad(
  withRespectTo parameters: [Tensor], names: [String]? = nil,
  file: StaticString = #fileID, line: UInt = #line, _ f: @escaping ([Tensor]) -> Tensor
) -> CompiledFunction {
  let site = CallSite(file, line)
  let names = names ?? parameters.indices.map { "p\($0)" }
  return CompiledFunction { shapes throws(CompileError) in
    var graph = TracedGraph()
    graph.parameters = Array(zip(names, parameters))
    let (loss, grads) = Trace.record {
      let inputs = shapes.enumerated().map { Trace.input($0.element, site: site) }
      graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
      let loss = f(inputs)
      return (loss, grad(of: loss, withRespectTo: parameters, createGraph: true, file: file, line: line))
    }
    graph.outputs = [("loss", loss)] + zip(names, grads).map { ("grad." + $0.0, $0.1) }
    graph.forwardRoots = [loss]
    graph.backwardRoots = grads
    return try Compiler.compile(graph)
  }
}
