/// One compiler pass: a rewrite of a ``Program`` that keeps its meaning.
///
/// Passes keep ``ValueID``s stable: they may append values and drop
/// instructions, never renumber, so bindings and names survive every pass.
protocol Pass {
  /// The name shown when dumping the program after each pass.
  var name: String { get }
  /// Rewrites `program` in place.
  func run(_ program: inout Program)
}

/// The compiler's entry point: lowering, then the passes in order.
enum Compiler {
  /// The passes, in the order they run.
  static var passes: [any Pass] {
    [
      Simplify(), CommonSubexpressionElimination(), DeadCodeElimination(), ElementwiseFusion(), MatmulEpilogue(),
      SGDProductFolding(),
      ReductionFusion(), ForwardBackwardFusion(), Schedule(), MemoryPlanner(),
    ]
  }

  /// Lowers a traced graph and runs every pass on the program; `observe`
  /// sees the program after lowering and after each pass (and so do
  /// ``CompiledFunction/passDumps(for:)`` and `$MICROGRAD_DUMP_DIR`, see
  /// ``PassDumps``).
  static func compile(
    _ graph: TracedGraph, observe: ((String, Program) -> Void)? = nil
  ) throws(CompileError) -> LoweredProgram {
    let observe = PassDumps.observer(adding: observe)
    var lowered = try Lowering.lower(graph)
    observe?("lowering", lowered.program)
    for pass in passes {
      pass.run(&lowered.program)
      observe?(pass.name, lowered.program)
    }
    return lowered
  }
}
