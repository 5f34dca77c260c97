/// What the tools beside the library (MicrogradViz) may read of a graph and
/// a program, without widening the public API.

/// Every tensor the roots depend on, inputs before users: the same walk as
/// eager backward and the compiler use.
package func graphOrder(_ roots: [Tensor]) -> [Tensor] {
  topologicalOrder(roots)
}

extension Tensor {
  /// Where the op was written, when known without searching the current
  /// call stack: nil for an eager operator's output (its site is resolved
  /// only on an error, from the stack of the moment).
  package var recordedLocation: SourceLocation? {
    site.isUnresolved ? nil : site.location
  }
}

extension Operation {
  /// The operation with its attributes as the IR text spells it
  /// (`sum[axes=0]`, `matmul.tn`, `fused{…}`).
  package var spelling: String { Program.spelling(self) }
}
